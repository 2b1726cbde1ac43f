func.func @reduce_result_type(%x: tensor<2x3x4xf32>) {
  %0 = clip.reduce_sum %x axes [1] : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return
}
