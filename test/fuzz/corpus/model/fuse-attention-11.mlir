func.func @key_wrongly_transposed(%q: tensor<4x4x4xf32>, %k: tensor<4x4x4xf32>) -> tensor<4x4x4xf32> {
  %kt = clip.transpose %k [1, 2, 0] : tensor<4x4x4xf32> -> tensor<4x4x4xf32>
  %s = clip.matmul %q, %kt : (tensor<4x4x4xf32>, tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  %p = clip.softmax %s axis 2 : tensor<4x4x4xf32>
  %o = clip.matmul %p, %k : (tensor<4x4x4xf32>, tensor<4x4x4xf32>) -> tensor<4x4x4xf32>
  return %o : tensor<4x4x4xf32>
}
