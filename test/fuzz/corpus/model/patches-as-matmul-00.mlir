func.func @vit_patches(%x: tensor<2x3x8x12xf32>, %w: tensor<5x3x4x4xf32>) -> tensor<2x5x2x3xf32> {
  %y = clip.conv2d %x, %w stride [4, 4] padding [0, 0] : (tensor<2x3x8x12xf32>, tensor<5x3x4x4xf32>) -> tensor<2x5x2x3xf32>
  return %y : tensor<2x5x2x3xf32>
}
