func.func @biased(%x: tensor<1x2x6x6xf64>, %w: tensor<4x2x2x3xf64>, %b: tensor<4xf64>) -> tensor<1x4x3x2xf64> {
  %y = clip.conv2d %x, %w bias %b stride [2, 3] padding [0, 0] : (tensor<1x2x6x6xf64>, tensor<4x2x2x3xf64>, tensor<4xf64>) -> tensor<1x4x3x2xf64>
  return %y : tensor<1x4x3x2xf64>
}
