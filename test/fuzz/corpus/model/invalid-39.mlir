func.func @cmp_bool_operands(%a: tensor<3xi1>) {
  %0 = clip.cmp eq, %a, %a : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return
}
