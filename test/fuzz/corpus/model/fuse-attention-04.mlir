func.func @one_query(%q: tensor<2x32x1x64xf32>, %k: tensor<2x32x5x64xf32>, %v: tensor<2x32x5x64xf32>) -> tensor<2x32x1x64xf32> {
  %scale = clip.constant dense<1.25e-01> : tensor<f32>
  %qs = clip.mul %q, %scale : (tensor<2x32x1x64xf32>, tensor<f32>) -> tensor<2x32x1x64xf32>
  %s = clip.matmul %qs, %k transpose_rhs : (tensor<2x32x1x64xf32>, tensor<2x32x5x64xf32>) -> tensor<2x32x1x5xf32>
  %p = clip.softmax %s axis 3 : tensor<2x32x1x5xf32>
  %o = clip.matmul %p, %v : (tensor<2x32x1x5xf32>, tensor<2x32x5x64xf32>) -> tensor<2x32x1x64xf32>
  return %o : tensor<2x32x1x64xf32>
}
