func.func @slice_axis(%x: tensor<2x197x768xf32>) {
  %0 = clip.slice %x axis 3 from 0 to 1 : tensor<2x197x768xf32> -> tensor<2x197x768xf32>
  return
}
