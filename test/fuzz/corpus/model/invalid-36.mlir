func.func @cmp_element_type(%a: tensor<3xi64>, %b: tensor<3xi32>) {
  %0 = clip.cmp lt, %a, %b : (tensor<3xi64>, tensor<3xi32>) -> tensor<3xi1>
  return
}
