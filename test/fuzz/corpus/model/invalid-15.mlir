func.func @exp_integer(%x: tensor<4xi32>) {
  %0 = clip.exp %x : tensor<4xi32>
  return
}
