func.func @causal_mask_dynamic_key() {
  %0 = clip.causal_mask : tensor<2x77x?xf32>
  return
}
