func.func @reduce_sum_axis(%x: tensor<2x3xf32>) {
  %0 = clip.reduce_sum %x axes [2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}
