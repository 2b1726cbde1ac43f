func.func @elementwise_yield_types(%x: tensor<4x8xf32>) {
  %r = clip.elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x8xf64> {
  ^bb0(%a: tensor<4x8xf32>):
    %e = clip.exp %a : tensor<4x8xf32>
    clip.yield %e : tensor<4x8xf32>
  }
  return
}
