func.func @matmul_batch(%a: tensor<2x8x4x5xf32>, %b: tensor<3x5x6xf32>) {
  %0 = clip.matmul %a, %b : (tensor<2x8x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x8x4x6xf32>
  return
}
