func.func @one_channel(%x: tensor<3x1x28x28xf32>, %w: tensor<8x1x7x7xf32>) -> tensor<3x8x4x4xf32> {
  %y = clip.conv2d %x, %w stride [7, 7] padding [0, 0] : (tensor<3x1x28x28xf32>, tensor<8x1x7x7xf32>) -> tensor<3x8x4x4xf32>
  return %y : tensor<3x8x4x4xf32>
}
