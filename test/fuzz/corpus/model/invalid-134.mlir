func.func @batch_norm_element_type(%x: tensor<2x64x56x56xf32>, %g: tensor<64xf32>, %b: tensor<64xf16>) {
  %0 = clip.batch_norm %x, %g, %b, %g, %g epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf16>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x56x56xf32>
  return
}
