func.func @matmul_contraction_transpose_both(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>) {
  %0 = clip.matmul %a, %b transpose_lhs transpose_rhs : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return
}
