func.func @transpose_negative(%x: tensor<2x3xf32>) {
  %0 = clip.transpose %x [-1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}
