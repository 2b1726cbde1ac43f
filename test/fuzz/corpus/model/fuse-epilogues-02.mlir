func.func @bias_after_activation(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %bias: tensor<4xf32>) -> tensor<4x4xf32> {
  %mm = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %g = clip.gelu %mm approximate tanh : tensor<4x4xf32>
  %out = clip.add %g, %bias : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return %out : tensor<4x4xf32>
}
