func.func @forward() -> (tensor<f32>, tensor<2x3xf32>) {
  %x = clip.input "x" : tensor<2x4xf32>
  %w = clip.param "w" : tensor<3x4xf32>
  %b = clip.param "b" : tensor<3xf32>
  %s = clip.param "scale" frozen : tensor<3xf32>
  %mm = clip.matmul %x, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %y = clip.add %mm, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %z = clip.mul %y, %s : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %g = clip.gelu %z : tensor<2x3xf32>
  %l = clip.reduce_mean %g axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %l, %y : tensor<f32>, tensor<2x3xf32>
}
