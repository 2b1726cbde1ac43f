func.func @broadcast_dynamic_input(%x: tensor<?x768xf32>) {
  %0 = clip.broadcast %x : tensor<?x768xf32> -> tensor<2x768xf32>
  return
}
