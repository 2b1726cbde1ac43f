func.func @no_bias(%a: tensor<4x8xf64>, %b: tensor<8x4xf64>, %r: tensor<4x4xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>) {
  %mm = clip.matmul %a, %b : (tensor<4x8xf64>, tensor<8x4xf64>) -> tensor<4x4xf64>
  %g = clip.gelu %mm : tensor<4x4xf64>
  %out = clip.add %g, %r : tensor<4x4xf64>
  %plain = clip.matmul %a, %b : (tensor<4x8xf64>, tensor<8x4xf64>) -> tensor<4x4xf64>
  return %out, %plain : tensor<4x4xf64>, tensor<4x4xf64>
}
