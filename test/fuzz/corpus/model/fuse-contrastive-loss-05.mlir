func.func @no_exp_and_sum(%in: tensor<4x8xf32>, %tn: tensor<4x8xf32>, %scale: tensor<f32>) -> tensor<f32> {
  %sim = clip.matmul %in, %tn transpose_rhs : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  %logits = clip.mul %sim, %scale : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  %labels = clip.iota dim 0 : tensor<4xi64>
  %ilp = clip.log_softmax %logits axis 1 : tensor<4x4xf32>
  %ic = clip.gather %ilp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %im = clip.reduce_mean %ic axes [0] : tensor<4xf32> -> tensor<f32>
  %tlp = clip.log_softmax %logits axis 0 : tensor<4x4xf32>
  %tc = clip.gather %tlp[%labels] axis 1 batch_dims 1 : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %tm = clip.reduce_mean %tc axes [0] : tensor<4xf32> -> tensor<f32>
  %total = clip.add %im, %tm : tensor<f32>
  %loss = clip.neg %total : tensor<f32>
  return %loss : tensor<f32>
}
