func.func @argmax_axis(%x: tensor<2x77xi64>) {
  %0 = clip.argmax %x axis 2 : tensor<2x77xi64> -> tensor<2xi64>
  return
}
