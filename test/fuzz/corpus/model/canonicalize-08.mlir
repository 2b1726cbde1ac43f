func.func @splat_reshapes() -> (tensor<3x4xf32>, tensor<4x3xf32>, tensor<12xf32>) {
  %c = clip.constant dense<2.0> : tensor<4xf32>
  %b = clip.broadcast %c : tensor<4xf32> -> tensor<3x4xf32>
  %t = clip.transpose %b [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %r = clip.reshape %b [12] : tensor<3x4xf32> -> tensor<12xf32>
  return %b, %t, %r : tensor<3x4xf32>, tensor<4x3xf32>, tensor<12xf32>
}
