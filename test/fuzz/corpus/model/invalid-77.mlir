func.func @transpose_out_of_range(%x: tensor<2x3x4xf32>) {
  %0 = clip.transpose %x [0, 3, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  return
}
