func.func @first() -> tensor<512xf32> {
  %w = clip.param "ln_final.weight" : tensor<512xf32>
  return %w : tensor<512xf32>
}
func.func @second() -> tensor<768xf32> {
  %w = clip.param "ln_final.weight" : tensor<768xf32>
  return %w : tensor<768xf32>
}
