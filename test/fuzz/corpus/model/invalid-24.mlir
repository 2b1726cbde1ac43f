func.func @constant_i8() {
  %0 = clip.constant dense<1> : tensor<4xi8>
  return
}
