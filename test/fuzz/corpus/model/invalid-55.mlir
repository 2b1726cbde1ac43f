func.func @matmul_bool(%a: tensor<2x2xi1>) {
  %0 = clip.matmul %a, %a : (tensor<2x2xi1>, tensor<2x2xi1>) -> tensor<2x2xi1>
  return
}
