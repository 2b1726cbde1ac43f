func.func @gather_grad_shape(%g: tensor<2x76x8xf32>, %i: tensor<2x77xi64>) {
  %0 = clip.gather_grad %g, %i axis 0 : (tensor<2x76x8xf32>, tensor<2x77xi64>) -> tensor<100x8xf32>
  return
}
