func.func @broadcast_rank(%x: tensor<2x1x768xf32>) {
  %0 = clip.broadcast %x : tensor<2x1x768xf32> -> tensor<1x768xf32>
  return
}
