func.func @gather_batch_dims_axis(%x: tensor<2x77x512xf32>, %i: tensor<2xi64>) {
  %0 = clip.gather %x[%i] axis 1 batch_dims 2 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x512xf32>
  return
}
