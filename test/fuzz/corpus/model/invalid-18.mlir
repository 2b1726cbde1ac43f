func.func @gelu_integer(%x: tensor<4xi64>) {
  %0 = clip.gelu %x approximate tanh : tensor<4xi64>
  return
}
