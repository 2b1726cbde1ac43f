func.func @slice_grad_range(%g: tensor<2x3xf32>) {
  %0 = clip.slice_grad %g axis 1 from 1 to 9 step 3 : tensor<2x3xf32> -> tensor<2x7xf32>
  return
}
