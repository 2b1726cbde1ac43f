func.func @gather_result_type(%t: tensor<10x4xf32>, %i: tensor<3xi32>) {
  %0 = clip.gather %t[%i] axis 0 : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<3x4xi32>
  return
}
