func.func @cast_shape(%x: tensor<4x8xf32>) {
  %0 = clip.cast %x : tensor<4x8xf32> to tensor<8x4xbf16>
  return
}
