func.func @concat_result_type(%a: tensor<2x3xf32>) {
  %0 = clip.concat %a, %a axis 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}
