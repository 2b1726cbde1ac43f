func.func @forward() -> (tensor<f32>) {
  %image = clip.input "image" : tensor<4x3x2x2xf32>
  %text = clip.input "text" : tensor<4x12xf32>
  %g = clip.param "g" : tensor<3xf32>
  %b = clip.param "b" : tensor<3xf32>
  %m = clip.param "m" frozen : tensor<3xf32>
  %v = clip.param "v" frozen : tensor<3xf32>
  %s = clip.param "logit_scale" : tensor<f32>
  %y, %nm, %nv = clip.batch_norm_train %image, %g, %b, %m, %v epsilon 1.0e-5 momentum 1.0e-1 : (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
  %fi = clip.reshape %y [4, 12] : tensor<4x3x2x2xf32> -> tensor<4x12xf32>
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %fi, %text, %s epsilon 1.0e-12 : (tensor<4x12xf32>, tensor<4x12xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return %loss : tensor<f32>
}
