func.func @broadcast_needed(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %bb = clip.broadcast %b : tensor<3xf32> -> tensor<2x3xf32>
  %add = clip.add %a, %bb : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %add : tensor<2x3xf32>
}
