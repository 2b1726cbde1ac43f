func.func @argmax_result_element(%x: tensor<2x77xi64>) {
  %0 = clip.argmax %x axis 1 : tensor<2x77xi64> -> tensor<2xi32>
  return
}
