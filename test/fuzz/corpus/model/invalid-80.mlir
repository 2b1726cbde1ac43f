func.func @broadcast_element_type(%x: tensor<1x768xf32>) {
  %0 = clip.broadcast %x : tensor<1x768xf32> -> tensor<2x1x768xbf16>
  return
}
