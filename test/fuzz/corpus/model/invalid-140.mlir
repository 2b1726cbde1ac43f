func.func @batch_norm_train_epsilon(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %g epsilon 0.0 momentum 0.1 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>)
  return
}
