func.func @softmax_integer(%x: tensor<10xi32>) {
  %0 = clip.softmax %x axis 0 : tensor<10xi32>
  return
}
