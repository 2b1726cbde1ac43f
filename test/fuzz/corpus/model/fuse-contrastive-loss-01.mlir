func.func @logits_per_text(%image: tensor<3x5xf64>, %text: tensor<3x5xf64>, %logit_scale: tensor<f64>) -> tensor<f64> {
  %eps = clip.constant dense<1.0e-12> : tensor<f64>
  %isq = clip.mul %image, %image : tensor<3x5xf64>
  %iss = clip.reduce_sum %isq axes [1] keepdims : tensor<3x5xf64> -> tensor<3x1xf64>
  %inorm = clip.sqrt %iss : tensor<3x1xf64>
  %iclamp = clip.max %inorm, %eps : (tensor<3x1xf64>, tensor<f64>) -> tensor<3x1xf64>
  %in = clip.div %image, %iclamp : (tensor<3x5xf64>, tensor<3x1xf64>) -> tensor<3x5xf64>
  %tsq = clip.mul %text, %text : tensor<3x5xf64>
  %tss = clip.reduce_sum %tsq axes [1] keepdims : tensor<3x5xf64> -> tensor<3x1xf64>
  %tnorm = clip.sqrt %tss : tensor<3x1xf64>
  %tclamp = clip.max %tnorm, %eps : (tensor<3x1xf64>, tensor<f64>) -> tensor<3x1xf64>
  %tn = clip.div %text, %tclamp : (tensor<3x5xf64>, tensor<3x1xf64>) -> tensor<3x5xf64>
  %scale = clip.exp %logit_scale : tensor<f64>
  %int = clip.transpose %in [1, 0] : tensor<3x5xf64> -> tensor<5x3xf64>
  %tsim = clip.matmul %tn, %int : (tensor<3x5xf64>, tensor<5x3xf64>) -> tensor<3x3xf64>
  %per_text = clip.mul %scale, %tsim : (tensor<f64>, tensor<3x3xf64>) -> tensor<3x3xf64>
  %isim = clip.matmul %in, %tn transpose_rhs : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x3xf64>
  %per_image = clip.mul %isim, %scale : (tensor<3x3xf64>, tensor<f64>) -> tensor<3x3xf64>
  %labels = clip.iota dim 0 : tensor<3xi64>
  %tlp = clip.log_softmax %per_text axis 1 : tensor<3x3xf64>
  %tc = clip.gather %tlp[%labels] axis 1 batch_dims 1 : (tensor<3x3xf64>, tensor<3xi64>) -> tensor<3xf64>
  %tm = clip.reduce_mean %tc axes [0] : tensor<3xf64> -> tensor<f64>
  %ilp = clip.log_softmax %per_image axis 1 : tensor<3x3xf64>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<3x3xf64>, tensor<3xi64>) -> tensor<3xf64>
  %im = clip.reduce_mean %ic axes [0] : tensor<3xf64> -> tensor<f64>
  %total = clip.add %tm, %im : tensor<f64>
  %neg = clip.neg %total : tensor<f64>
  %two = clip.constant dense<2.0> : tensor<f64>
  %loss = clip.div %neg, %two : tensor<f64>
  return %loss : tensor<f64>
}
