func.func @max_element_type(%a: tensor<4xi32>, %b: tensor<i64>) {
  %0 = clip.max %a, %b : (tensor<4xi32>, tensor<i64>) -> tensor<4xi32>
  return
}
