func.func @slice_negative_start(%x: tensor<8xf32>) {
  %0 = clip.slice %x axis 0 from -1 to 8 : tensor<8xf32> -> tensor<9xf32>
  return
}
