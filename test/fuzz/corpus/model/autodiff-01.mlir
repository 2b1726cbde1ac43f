func.func @forward() -> tensor<f32> {
  %v1 = clip.param "v" : tensor<3xf32>
  %v2 = clip.param "v" : tensor<3xf32>
  %u = clip.param "unused" : tensor<2xf32>
  %p = clip.mul %v1, %v2 : tensor<3xf32>
  %l = clip.reduce_sum %p axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
