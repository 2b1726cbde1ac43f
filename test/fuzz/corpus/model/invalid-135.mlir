func.func @batch_norm_epsilon_zero(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  %0 = clip.batch_norm %x, %g, %g, %g, %g epsilon 0.0 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64xf32>
  return
}
