func.func @causal_mask_dynamic() {
  %0 = clip.causal_mask : tensor<?x?xi1>
  return
}
