func.func @cmp_broadcast(%a: tensor<3xi64>, %b: tensor<4xi64>) {
  %0 = clip.cmp eq, %a, %b : (tensor<3xi64>, tensor<4xi64>) -> tensor<3xi1>
  return
}
