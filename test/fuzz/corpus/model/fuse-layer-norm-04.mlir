func.func @intermediate_escapes(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x1xf32>) {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %mean = clip.reduce_mean %x axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %c = clip.sub %x, %mean : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %sq = clip.mul %c, %c : tensor<4x8xf32>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %ve = clip.add %var, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %rstd = clip.rsqrt %ve : tensor<4x1xf32>
  %n = clip.mul %c, %rstd : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %s = clip.mul %n, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %y = clip.add %s, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y, %var : tensor<4x8xf32>, tensor<4x1xf32>
}
