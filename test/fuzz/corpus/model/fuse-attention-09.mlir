func.func @scale_not_constant(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>, %t: tensor<f32>) -> tensor<2x8x16xf32> {
  %qs = clip.mul %q, %t : (tensor<2x8x16xf32>, tensor<f32>) -> tensor<2x8x16xf32>
  %s = clip.matmul %qs, %k transpose_rhs : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %p = clip.softmax %s axis 2 : tensor<2x8x8xf32>
  %o = clip.matmul %p, %k : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}
