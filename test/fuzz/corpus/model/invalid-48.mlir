func.func @matmul_element_type(%a: tensor<2x3xf32>, %b: tensor<3x4xbf16>) {
  %0 = clip.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xbf16>) -> tensor<2x4xf32>
  return
}
