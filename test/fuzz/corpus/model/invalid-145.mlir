func.func @batch_norm_dynamic_channels(%x: tensor<2x?xf32>, %c: tensor<64xf32>) {
  %0 = clip.batch_norm %x, %c, %c, %c, %c epsilon 1.0e-05 : (tensor<2x?xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x?xf32>
  return
}
