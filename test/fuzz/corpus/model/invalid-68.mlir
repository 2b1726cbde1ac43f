func.func @reshape_zero_entry(%x: tensor<2x3x4xf32>) {
  %0 = clip.reshape %x [6, 0] : tensor<2x3x4xf32> -> tensor<6x0xf32>
  return
}
