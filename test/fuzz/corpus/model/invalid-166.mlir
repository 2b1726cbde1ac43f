func.func @elementwise_arguments(%x: tensor<4x8xf32>) {
  %r = clip.elementwise (%x) : (tensor<4x8xf32>) -> tensor<8xf32> {
  ^bb0(%a: tensor<8xf32>):
    clip.yield %a : tensor<8xf32>
  }
  return
}
