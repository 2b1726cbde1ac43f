func.func @batch_norm_scale_shape(%x: tensor<2x64x56x56xf32>, %g: tensor<32xf32>, %b: tensor<64xf32>) {
  %0 = clip.batch_norm %x, %g, %b, %b, %b epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<32xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x56x56xf32>
  return
}
