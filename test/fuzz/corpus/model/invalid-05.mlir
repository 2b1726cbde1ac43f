func.func @iota_scalar() {
  %0 = clip.iota dim 0 : tensor<i64>
  return
}
