func.func @sum_used_before(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %x1 = clip.add %x, %r : tensor<2x8xf32>
  %early = clip.mul %x1, %x1 : tensor<2x8xf32>
  %mean = clip.reduce_mean %x1 axes [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
  %c = clip.sub %x1, %mean : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %sq = clip.mul %c, %c : tensor<2x8xf32>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
  %ve = clip.add %var, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %rstd = clip.rsqrt %ve : tensor<2x1xf32>
  %n = clip.mul %c, %rstd : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %s = clip.mul %n, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %y = clip.add %s, %b : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %y, %early : tensor<2x8xf32>, tensor<2x8xf32>
}
