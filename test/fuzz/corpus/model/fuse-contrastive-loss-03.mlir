func.func @one_sided(%image: tensor<4x8xf32>, %text: tensor<4x8xf32>, %logit_scale: tensor<f32>) -> tensor<f32> {
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %isq = clip.mul %image, %image : tensor<4x8xf32>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %inorm = clip.sqrt %iss : tensor<4x1xf32>
  %iclamp = clip.max %inorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %in = clip.div %image, %iclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %tsq = clip.mul %text, %text : tensor<4x8xf32>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %tnorm = clip.sqrt %tss : tensor<4x1xf32>
  %tclamp = clip.max %tnorm, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %tn = clip.div %text, %tclamp : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %scale = clip.exp %logit_scale : tensor<f32>
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %logits = clip.mul %sim, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %labels = clip.iota dim 0 : tensor<4xi64>
  %ilp = clip.log_softmax %logits axis 1 : tensor<4x4xf32>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %im = clip.reduce_mean %ic axes [0] : tensor<4xf32> -> tensor<f32>
  %total = clip.add %im, %im : tensor<f32>
  %neg_half = clip.constant dense<-5.0e-01> : tensor<f32>
  %loss = clip.mul %total, %neg_half : tensor<f32>
  return %loss : tensor<f32>
}
