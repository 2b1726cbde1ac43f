func.func @add_broadcast(%a: tensor<2x4xf32>, %b: tensor<5xf32>) {
  %0 = clip.add %a, %b : (tensor<2x4xf32>, tensor<5xf32>) -> tensor<2x4xf32>
  return
}
