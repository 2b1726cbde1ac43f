func.func @matmul_result_type(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<4x2xf32>
  return
}
