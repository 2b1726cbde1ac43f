func.func @select_condition_not_bool(%c: tensor<4xi32>, %t: tensor<4xf32>) {
  %0 = clip.select %c, %t, %t : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}
