func.func @avg_pool2d_stride(%x: tensor<2x64x56x56xf32>) {
  %0 = clip.avg_pool2d %x kernel [2, 2] stride [2, 2, 1] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
  return
}
