func.func @elementwise_not_fusible(%x: tensor<4x8xf32>) {
  %r = clip.elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x1xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    %s = clip.reduce_sum %a axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
    clip.yield %s : tensor<4x1xf32>
  }
  return
}
