func.func @forward() -> tensor<3xf32> {
  %v = clip.param "v" : tensor<3xf32>
  return %v : tensor<3xf32>
}
