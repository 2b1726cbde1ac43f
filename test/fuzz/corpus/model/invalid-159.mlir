func.func @contrastive_loss_batches(%i: tensor<4x8xf32>, %t: tensor<5x8xf32>, %s: tensor<f32>) {
  %l, %a, %b, %c, %d = clip.contrastive_loss %i, %t, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<5x8xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
