func.func @constant_result_type() {
  %0 = "clip.constant"() <{value = dense<1.0> : tensor<4xf32>}> : () -> tensor<2x2xf32>
  return
}
