func.func @reshape_count(%x: tensor<2x3x4xf32>) {
  %0 = clip.reshape %x [5, 5] : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return
}
