func.func @neg_bool(%x: tensor<4xi1>) {
  %0 = clip.neg %x : tensor<4xi1>
  return
}
