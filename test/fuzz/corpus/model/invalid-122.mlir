func.func @conv2d_integer(%x: tensor<1x1x4x4xi32>, %w: tensor<1x1x1x1xi32>) {
  %0 = clip.conv2d %x, %w stride [1, 1] padding [0, 0] : (tensor<1x1x4x4xi32>, tensor<1x1x1x1xi32>) -> tensor<1x1x4x4xi32>
  return
}
