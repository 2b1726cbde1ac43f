func.func @iota_bool() {
  %0 = clip.iota dim 0 : tensor<4xi1>
  return
}
