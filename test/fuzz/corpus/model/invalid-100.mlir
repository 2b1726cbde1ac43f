func.func @gather_batch_dim(%x: tensor<2x77x512xf32>, %i: tensor<3xi64>) {
  %0 = clip.gather %x[%i] axis 1 batch_dims 1 : (tensor<2x77x512xf32>, tensor<3xi64>) -> tensor<2x512xf32>
  return
}
