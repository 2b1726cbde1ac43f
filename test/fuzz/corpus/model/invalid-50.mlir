func.func @matmul_contraction_transpose_lhs(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  %0 = clip.matmul %a, %b transpose_lhs : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}
