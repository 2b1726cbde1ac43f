func.func @broadcast_dim(%x: tensor<3x768xf32>) {
  %0 = clip.broadcast %x : tensor<3x768xf32> -> tensor<2x4x768xf32>
  return
}
