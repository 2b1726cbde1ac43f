func.func @reshape_two_inferred(%x: tensor<2x3x4xf32>) {
  %0 = clip.reshape %x [-1, 2, -1] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}
