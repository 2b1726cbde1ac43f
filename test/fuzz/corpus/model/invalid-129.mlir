func.func @avg_pool2d_window(%x: tensor<2x64x7x3xf32>) {
  %0 = clip.avg_pool2d %x kernel [2, 4] stride [2, 2] padding [0, 0] : tensor<2x64x7x3xf32> -> tensor<2x64x3x0xf32>
  return
}
