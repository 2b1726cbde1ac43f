func.func @contrastive_loss_scale(%i: tensor<4x8xf32>, %s: tensor<1xf32>) {
  %l, %a, %b, %c, %d = clip.contrastive_loss %i, %i, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<1xf32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
