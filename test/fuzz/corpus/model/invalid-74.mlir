func.func @reshape_element_type(%x: tensor<6xf32>) {
  %0 = clip.reshape %x [2, 3] : tensor<6xf32> -> tensor<2x3xf16>
  return
}
