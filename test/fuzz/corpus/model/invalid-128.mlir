func.func @avg_pool2d_padding_half_kernel(%x: tensor<2x64x56x56xf32>) {
  %0 = clip.avg_pool2d %x kernel [3, 3] stride [1, 1] padding [1, 2] : tensor<2x64x56x56xf32> -> tensor<2x64x56x58xf32>
  return
}
