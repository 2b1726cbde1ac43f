func.func @conv2d_result_type(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x16x16xf32>
  return
}
