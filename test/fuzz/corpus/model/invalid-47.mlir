func.func @matmul_rank_rhs(%a: tensor<2x3xf32>, %b: tensor<f32>) {
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return
}
