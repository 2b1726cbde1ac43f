func.func @batch_norm_train_element_type(%x: tensor<2x64xbf16>, %g: tensor<64xbf16>, %v: tensor<64xf32>) {
  %0:3 = clip.batch_norm_train %x, %g, %g, %g, %v epsilon 1.0e-05 momentum 0.1 : (tensor<2x64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<64xbf16>, tensor<64xf32>) -> (tensor<2x64xbf16>, tensor<64xbf16>, tensor<64xf32>)
  return
}
