func.func @cast_dynamic_shape(%x: tensor<?x8xf32>) {
  %0 = clip.cast %x : tensor<?x8xf32> to tensor<2x8xf32>
  return
}
