func.func private @double(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %y = clip.add %x, %x : tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
func.func private @external(tensor<?x2xf32>) -> tensor<?xf32>
func.func @caller() -> tensor<?xf32> {
  %x = clip.input "x" : tensor<?x2xf32>
  %y = func.call @double(%x) : (tensor<?x2xf32>) -> tensor<?x2xf32>
  %z = func.call @external(%y) : (tensor<?x2xf32>) -> tensor<?xf32>
  return %z : tensor<?xf32>
}
