func.func @forward() -> (tensor<f32>) {
  %x = clip.input "x" : tensor<2x4xf32>
  %w = clip.param "w" : tensor<3x4xf32>
  %mm = clip.matmul %x, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %l = clip.reduce_mean %mm axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
