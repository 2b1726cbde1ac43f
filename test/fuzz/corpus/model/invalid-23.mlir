func.func @constant_f8() {
  %0 = clip.constant dense<1.0> : tensor<4xf8E4M3FN>
  return
}
