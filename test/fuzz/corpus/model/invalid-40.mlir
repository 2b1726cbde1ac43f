func.func @cmp_bad_predicate(%a: tensor<3xf32>) {
  %0 = clip.cmp approx, %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return
}
