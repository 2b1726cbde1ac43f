func.func @tower() -> (tensor<f32>, tensor<f32>, tensor<?x3x32x32xf32>) {
  %a = clip.param "logit_scale" : tensor<f32>
  %b = clip.param "logit_scale" : tensor<f32>
  %x = clip.input "image" : tensor<?x3x32x32xf32>
  return %a, %b, %x : tensor<f32>, tensor<f32>, tensor<?x3x32x32xf32>
}
func.func @loss() -> tensor<f32> {
  %a = clip.param "logit_scale" : tensor<f32>
  return %a : tensor<f32>
}
