func.func @transpose_result_type(%x: tensor<2x77x8x64xf32>) {
  %0 = clip.transpose %x [0, 2, 1, 3] : tensor<2x77x8x64xf32> -> tensor<2x77x8x64xf32>
  return
}
