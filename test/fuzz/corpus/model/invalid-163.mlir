func.func @gemm_contraction(%a: tensor<4x8xf32>, %b: tensor<9x16xf32>) {
  %0 = clip.gemm %a, %b : (tensor<4x8xf32>, tensor<9x16xf32>) -> tensor<4x16xf32>
  return
}
