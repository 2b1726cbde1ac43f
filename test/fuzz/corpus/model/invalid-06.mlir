func.func @iota_negative_dim() {
  %0 = clip.iota dim -1 : tensor<4xi64>
  return
}
