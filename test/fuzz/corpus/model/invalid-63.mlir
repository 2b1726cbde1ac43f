func.func @argmax_negative_axis(%x: tensor<2x77xf32>) {
  %0 = clip.argmax %x axis -1 : tensor<2x77xf32> -> tensor<2xi64>
  return
}
