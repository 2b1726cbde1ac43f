func.func @breaks(%x: tensor<?x3xf32>) {
  %w = clip.param "w" : tensor<5x3xf32>
  %y = clip.add %x, %w : (tensor<?x3xf32>, tensor<5x3xf32>) -> tensor<5x3xf32>
  return
}
