func.func @select_constant_condition(%a: tensor<2xf32>, %b: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %false = clip.constant dense<false> : tensor<2xi1>
  %s = clip.select %false, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %c = clip.cmp eq, %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
  %same = clip.select %c, %a, %a : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %s, %same : tensor<2xf32>, tensor<2xf32>
}
