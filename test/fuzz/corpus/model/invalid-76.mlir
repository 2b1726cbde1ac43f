func.func @transpose_repeated(%x: tensor<2x3x4xf32>) {
  %0 = clip.transpose %x [0, 1, 1] : tensor<2x3x4xf32> -> tensor<2x3x3xf32>
  return
}
