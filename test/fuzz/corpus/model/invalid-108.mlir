func.func @conv2d_out_channels_groups(%x: tensor<2x64x56x56xf32>, %w: tensor<30x16x3x3xf32>) {
  %0 = clip.conv2d %x, %w stride [1, 1] padding [1, 1] groups 4 : (tensor<2x64x56x56xf32>, tensor<30x16x3x3xf32>) -> tensor<2x30x56x56xf32>
  return
}
