func.func @cmp_result_type(%a: tensor<3xf32>, %b: tensor<f32>) {
  %0 = clip.cmp ge, %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<1xi1>
  return
}
