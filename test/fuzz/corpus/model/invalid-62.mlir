func.func @argmax_result_type(%x: tensor<2x77xf32>) {
  %0 = clip.argmax %x axis 1 keepdims : tensor<2x77xf32> -> tensor<2xi64>
  return
}
