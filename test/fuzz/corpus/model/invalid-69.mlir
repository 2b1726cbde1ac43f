func.func @reshape_negative_entry(%x: tensor<2x3x4xf32>) {
  %0 = clip.reshape %x [-2, 12] : tensor<2x3x4xf32> -> tensor<2x12xf32>
  return
}
