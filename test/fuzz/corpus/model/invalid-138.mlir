func.func @batch_norm_train_momentum_above_one(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %g epsilon 1.0e-05 momentum 1.5 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}
