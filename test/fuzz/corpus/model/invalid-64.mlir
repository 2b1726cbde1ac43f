func.func @softmax_axis(%x: tensor<2x8x77x77xf32>) {
  %0 = clip.softmax %x axis 4 : tensor<2x8x77x77xf32>
  return
}
