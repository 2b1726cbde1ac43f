func.func @multi_output(%v: tensor<8xf32>, %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<f32>) {
  %e = clip.exp %v : tensor<8xf32>
  %b = clip.broadcast %e : tensor<8xf32> -> tensor<4x8xf32>
  %gt = clip.cmp gt, %b, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  %s = clip.select %gt, %b, %y : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %t = clip.reduce_sum %e axes [0] : tensor<8xf32> -> tensor<f32>
  return %s, %t : tensor<4x8xf32>, tensor<f32>
}
