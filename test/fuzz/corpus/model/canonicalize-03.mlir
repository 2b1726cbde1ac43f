func.func @identity_needs_broadcast(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %one = clip.constant dense<1.0> : tensor<2x3xf32>
  %y = clip.mul %x, %one : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
