func.func @batch_norm_running_var_shape(%x: tensor<2x64x56x56xf32>, %g: tensor<64xf32>, %v: tensor<1x64xf32>) {
  %0 = clip.batch_norm %x, %g, %g, %g, %v epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<1x64xf32>) -> tensor<2x64x56x56xf32>
  return
}
