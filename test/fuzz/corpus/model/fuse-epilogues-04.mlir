func.func @not_bias_shaped(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %col: tensor<4x1xf32>, %row: tensor<1x4xf32>,
                           %ia: tensor<4x8xi64>, %ib: tensor<8x4xi64>, %ibias: tensor<4xi64>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xi64>) {
  %mm = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %c = clip.add %mm, %col : (tensor<4x4xf32>, tensor<4x1xf32>) -> tensor<4x4xf32>
  %mm2 = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %r = clip.add %mm2, %row : (tensor<4x4xf32>, tensor<1x4xf32>) -> tensor<4x4xf32>
  %imm = clip.matmul %ia, %ib : (tensor<4x8xi64>, tensor<8x4xi64>) -> tensor<4x4xi64>
  %i = clip.add %imm, %ibias : (tensor<4x4xi64>, tensor<4xi64>) -> tensor<4x4xi64>
  return %c, %r, %i : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xi64>
}
