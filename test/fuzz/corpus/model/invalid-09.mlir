func.func @causal_mask_non_square() {
  %0 = clip.causal_mask : tensor<77x76xf32>
  return
}
