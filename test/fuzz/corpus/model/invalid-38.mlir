func.func @cmp_result_not_bool(%a: tensor<3xf32>) {
  %0 = clip.cmp ne, %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}
