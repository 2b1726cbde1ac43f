func.func @batch_norm_train_running_mean_shape(%x: tensor<2x64x7x7xf32>, %g: tensor<64xf32>, %m: tensor<7xf32>) {
  %0:3 = clip.batch_norm_train %x, %g, %g, %m, %g epsilon 1.0e-05 momentum 0.1 : (tensor<2x64x7x7xf32>, tensor<64xf32>, tensor<64xf32>, tensor<7xf32>, tensor<64xf32>) -> (tensor<2x64x7x7xf32>, tensor<7xf32>, tensor<64xf32>)
  return
}
