func.func @conv2d_bias_element_type(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>, %b: tensor<768xbf16>) {
  %0 = clip.conv2d %x, %w bias %b stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>, tensor<768xbf16>) -> tensor<2x768x14x14xf32>
  return
}
