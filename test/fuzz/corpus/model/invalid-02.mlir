func.func @param_integer() {
  %0 = clip.param "step" : tensor<i64>
  return
}
