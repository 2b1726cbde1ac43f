func.func @batch_norm_train_result_type(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %g epsilon 1.0e-05 momentum 0.1 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64xf32>, tensor<64xf32>, tensor<32xf32>)
  return
}
