func.func @frozen() -> (tensor<4xf32>, tensor<4xf32>) {
  %a = clip.param "visual.proj" frozen : tensor<4xf32>
  %b = clip.param "visual.proj" : tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}
