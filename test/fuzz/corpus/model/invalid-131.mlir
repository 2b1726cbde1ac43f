func.func @batch_norm_input_rank(%x: tensor<64xf32>, %g: tensor<64xf32>) {
  %0 = clip.batch_norm %x, %g, %g, %g, %g epsilon 1.0e-05 : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  return
}
