func.func @causal_mask_integer() {
  %0 = clip.causal_mask : tensor<4x4xi64>
  return
}
