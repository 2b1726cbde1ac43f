func.func @concat_batch_takes_size(%a: tensor<?x1x8xf32>, %b: tensor<2x3x8xf32>) {
  %0 = clip.concat %a, %b axis 1 : (tensor<?x1x8xf32>, tensor<2x3x8xf32>) -> tensor<?x4x8xf32>
  return
}
