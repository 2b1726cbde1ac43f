func.func @normalize(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %sq = clip.mul %x, %x : tensor<4x8xf32>
  %ss = clip.reduce_sum %sq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %n = clip.sqrt %ss : tensor<4x1xf32>
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %c = clip.max %n, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %d = clip.div %x, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}
