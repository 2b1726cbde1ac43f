func.func @iota_dim() {
  %0 = clip.iota dim 2 : tensor<4x5xi64>
  return
}
