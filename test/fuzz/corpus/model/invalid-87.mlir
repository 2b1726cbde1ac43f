func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xbf16>) {
  %0 = clip.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<2x3xbf16>) -> tensor<4x3xf32>
  return
}
