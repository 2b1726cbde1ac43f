func.func @conv2d_groups_zero(%x: tensor<2x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) {
  %0 = clip.conv2d %x, %w stride [1, 1] padding [1, 1] groups 0 : (tensor<2x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<2x64x56x56xf32>
  return
}
