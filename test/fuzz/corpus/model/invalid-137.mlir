func.func @batch_norm_result_type(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  %0 = clip.batch_norm %x, %g, %g, %g, %g epsilon 1.0e-05 : (tensor<2x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return
}
