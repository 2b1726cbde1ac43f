func.func @slice_grad_size(%g: tensor<2x4xf32>) {
  %0 = clip.slice_grad %g axis 1 from 1 to 6 step 2 : tensor<2x4xf32> -> tensor<2x7xf32>
  return
}
