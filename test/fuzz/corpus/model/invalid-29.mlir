func.func @div_element_type(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  %0 = clip.div %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}
