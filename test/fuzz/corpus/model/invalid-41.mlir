func.func @select_element_type(%c: tensor<4xi1>, %t: tensor<4xf32>, %f: tensor<f16>) {
  %0 = clip.select %c, %t, %f : (tensor<4xi1>, tensor<4xf32>, tensor<f16>) -> tensor<4xf32>
  return
}
