func.func @cast_unranked(%x: tensor<*xf32>) {
  %0 = clip.cast %x : tensor<*xf32> to tensor<4xf32>
  return
}
