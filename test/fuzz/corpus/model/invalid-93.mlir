func.func @slice_end(%x: tensor<2x197x768xf32>) {
  %0 = clip.slice %x axis 1 from 1 to 198 : tensor<2x197x768xf32> -> tensor<2x197x768xf32>
  return
}
