func.func @compositions(%x: tensor<2x3x4xf32>, %v: tensor<4xf32>) -> (tensor<4x6xf32>, tensor<4x3x2xf32>, tensor<5x3x4xf32>) {
  %r1 = clip.reshape %x [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %r2 = clip.reshape %r1 [4, 6] : tensor<6x4xf32> -> tensor<4x6xf32>
  %t1 = clip.transpose %x [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %t2 = clip.transpose %t1 [2, 0, 1] : tensor<3x2x4xf32> -> tensor<4x3x2xf32>
  %b1 = clip.broadcast %v : tensor<4xf32> -> tensor<3x4xf32>
  %b2 = clip.broadcast %b1 : tensor<3x4xf32> -> tensor<5x3x4xf32>
  return %r2, %t2, %b2 : tensor<4x6xf32>, tensor<4x3x2xf32>, tensor<5x3x4xf32>
}
