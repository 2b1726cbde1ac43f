func.func @product_used_twice(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %bias: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %mm = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %out = clip.add %mm, %bias : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return %out, %mm : tensor<4x4xf32>, tensor<4x4xf32>
}
