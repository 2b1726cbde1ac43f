func.func @conv2d_stride_value(%x: tensor<2x3x224x224xf32>, %w: tensor<768x3x16x16xf32>) {
  %0 = clip.conv2d %x, %w stride [16, 0] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
  return
}
