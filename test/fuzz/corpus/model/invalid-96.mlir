func.func @slice_result_type(%x: tensor<8xf32>) {
  %0 = clip.slice %x axis 0 from 0 to 8 step 3 : tensor<8xf32> -> tensor<2xf32>
  return
}
