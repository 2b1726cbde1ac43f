func.func @avg_pool2d_kernel_length(%x: tensor<2x64x56x56xf32>) {
  %0 = clip.avg_pool2d %x kernel [2] stride [2, 2] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
  return
}
