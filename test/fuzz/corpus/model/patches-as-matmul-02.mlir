func.func @not_patches(%x: tensor<1x2x7x8xf32>, %w3: tensor<3x2x3x3xf32>, %w1: tensor<3x2x1x1xf32>, %w4: tensor<3x2x4x4xf32>) -> (tensor<1x3x3x3xf32>, tensor<1x3x4x4xf32>, tensor<1x3x7x8xf32>, tensor<1x3x1x2xf32>) {
  %a = clip.conv2d %x, %w3 stride [2, 2] padding [0, 0] : (tensor<1x2x7x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  %b = clip.conv2d %x, %w3 stride [2, 2] padding [1, 1] : (tensor<1x2x7x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  %c = clip.conv2d %x, %w1 stride [1, 1] padding [0, 0] : (tensor<1x2x7x8xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x7x8xf32>
  %d = clip.conv2d %x, %w4 stride [4, 4] padding [0, 0] : (tensor<1x2x7x8xf32>, tensor<3x2x4x4xf32>) -> tensor<1x3x1x2xf32>
  return %a, %b, %c, %d : tensor<1x3x3x3xf32>, tensor<1x3x4x4xf32>, tensor<1x3x7x8xf32>, tensor<1x3x1x2xf32>
}
