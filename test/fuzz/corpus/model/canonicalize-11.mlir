func.func @transpose_roundtrip(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %t1 = clip.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %t2 = clip.transpose %t1 [1, 2, 0] : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
  return %t2 : tensor<2x3x4xf32>
}
