func.func @param_empty_name() {
  %0 = clip.param "" : tensor<4xf32>
  return
}
