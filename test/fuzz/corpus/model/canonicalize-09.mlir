func.func @drop_implicit_broadcast(%x: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xi1>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %bb = clip.broadcast %b : tensor<3xf32> -> tensor<2x3xf32>
  %add = clip.add %x, %bb : tensor<2x3xf32>
  %sel = clip.select %c, %x, %bb : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %neg = clip.neg %bb : tensor<2x3xf32>
  return %add, %sel, %neg : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
