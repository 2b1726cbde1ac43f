func.func @conv2d_window_width_dilation(%x: tensor<1x1x8x8xf32>, %w: tensor<1x1x3x3xf32>) {
  %0 = clip.conv2d %x, %w stride [1, 1] padding [0, 0] dilation [1, 4] : (tensor<1x1x8x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x6x1xf32>
  return
}
