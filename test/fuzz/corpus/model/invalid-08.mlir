func.func @causal_mask_rank1() {
  %0 = clip.causal_mask : tensor<77xf32>
  return
}
