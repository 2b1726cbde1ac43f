func.func @read_before(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = clip.exp %x : tensor<4x8xf32>
  %s = clip.reduce_sum %e axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %d = clip.div %e, %s : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}
