func.func @select_result_type(%c: tensor<4xi1>, %t: tensor<4xf32>) {
  %0 = clip.select %c, %t, %t : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  return
}
