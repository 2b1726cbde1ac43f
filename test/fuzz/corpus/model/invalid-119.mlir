func.func @conv2d_window_height(%x: tensor<2x3x8x224xf32>, %w: tensor<768x3x16x16xf32>) {
  %0 = clip.conv2d %x, %w stride [16, 16] padding [0, 0] : (tensor<2x3x8x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x1x14xf32>
  return
}
