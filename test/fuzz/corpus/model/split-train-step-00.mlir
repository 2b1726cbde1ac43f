func.func @forward() -> (tensor<f32>) {
  %image = clip.input "image" : tensor<4x6xf32>
  %text = clip.input "text" : tensor<4x5xf32>
  %wi = clip.param "wi" : tensor<8x6xf32>
  %wt = clip.param "wt" : tensor<8x5xf32>
  %s = clip.param "logit_scale" : tensor<f32>
  %hi = clip.matmul %image, %wi transpose_rhs : (tensor<4x6xf32>, tensor<8x6xf32>) -> tensor<4x8xf32>
  %fi = clip.tanh %hi : tensor<4x8xf32>
  %ft = clip.matmul %text, %wt transpose_rhs : (tensor<4x5xf32>, tensor<8x5xf32>) -> tensor<4x8xf32>
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %fi, %ft, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return %loss : tensor<f32>
}
