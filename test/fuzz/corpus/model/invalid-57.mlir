func.func @reduce_mean_negative_axis(%x: tensor<2x3xf32>) {
  %0 = clip.reduce_mean %x axes [-1] : tensor<2x3xf32> -> tensor<2xf32>
  return
}
