func.func private @helper(%x: tensor<3xf32>) -> tensor<f32> {
  %l = clip.reduce_sum %x axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @forward() -> tensor<f32> {
  %v = clip.param "v" : tensor<3xf32>
  %l = func.call @helper(%v) : (tensor<3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
