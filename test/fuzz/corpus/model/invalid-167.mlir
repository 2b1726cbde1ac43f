func.func @elementwise_captures(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) {
  %r = clip.elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    %s = clip.add %a, %y : tensor<4x8xf32>
    clip.yield %s : tensor<4x8xf32>
  }
  return
}
