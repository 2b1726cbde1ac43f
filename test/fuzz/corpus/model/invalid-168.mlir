func.func @yield_outside(%x: tensor<4x8xf32>) {
  clip.yield %x : tensor<4x8xf32>
}
