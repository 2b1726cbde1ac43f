func.func @slice_start_after_end(%x: tensor<2x197x768xf32>) {
  %0 = clip.slice %x axis 1 from 5 to 4 : tensor<2x197x768xf32> -> tensor<2x0x768xf32>
  return
}
