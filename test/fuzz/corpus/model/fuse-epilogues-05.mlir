func.func @two_residuals(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %r: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %mm = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %x = clip.add %mm, %r : tensor<4x4xf32>
  %y = clip.add %x, %r : tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}
