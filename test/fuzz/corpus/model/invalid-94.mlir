func.func @slice_step_zero(%x: tensor<8xf32>) {
  %0 = clip.slice %x axis 0 from 0 to 8 step 0 : tensor<8xf32> -> tensor<8xf32>
  return
}
