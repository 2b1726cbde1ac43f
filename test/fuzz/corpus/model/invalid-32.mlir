func.func @add_result_type(%a: tensor<2x4xf32>, %b: tensor<4xf32>) {
  %0 = clip.add %a, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}
