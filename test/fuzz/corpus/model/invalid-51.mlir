func.func @matmul_contraction_transpose_rhs(%q: tensor<2x8x77x64xf32>, %k: tensor<2x8x64x77xf32>) {
  %0 = clip.matmul %q, %k transpose_rhs : (tensor<2x8x77x64xf32>, tensor<2x8x64x77xf32>) -> tensor<2x8x77x64xf32>
  return
}
