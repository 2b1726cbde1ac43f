func.func @add_layer_norm_residual(%x: tensor<2x8xf32>, %r: tensor<1x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) {
  %s, %y, %m, %r2 = clip.add_layer_norm %x, %r, %w, %b epsilon 1.0e-05 : (tensor<2x8xf32>, tensor<1x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return
}
