func.func @param_and_input() -> (tensor<4xf32>, tensor<4xf32>) {
  %a = clip.input "x" : tensor<4xf32>
  %b = clip.param "x" : tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}
