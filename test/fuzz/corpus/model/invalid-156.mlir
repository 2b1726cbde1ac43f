func.func @attention_causal_lengths(%q: tensor<2x1x16xf32>, %k: tensor<2x5x16xf32>) {
  %o, %l = clip.attention %q, %k, %k scale 0.25 causal : (tensor<2x1x16xf32>, tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> (tensor<2x1x16xf32>, tensor<2x1xf32>)
  return
}
