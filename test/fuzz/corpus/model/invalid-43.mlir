func.func @select_on_false(%c: tensor<4x1xi1>, %t: tensor<1x5xf32>, %f: tensor<3xf32>) {
  %0 = clip.select %c, %t, %f : (tensor<4x1xi1>, tensor<1x5xf32>, tensor<3xf32>) -> tensor<4x5xf32>
  return
}
