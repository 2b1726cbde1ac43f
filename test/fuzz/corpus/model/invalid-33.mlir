func.func @add_result_element_type(%a: tensor<2x4xf32>) {
  %0 = clip.add %a, %a : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf16>
  return
}
