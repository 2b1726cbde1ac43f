func.func @loop(%x: tensor<?xf32>) -> tensor<?xf32> {
  %y = func.call @loop(%x) : (tensor<?xf32>) -> tensor<?xf32>
  return %y : tensor<?xf32>
}
