func.func @attention_heads(%q: tensor<2x4x8x16xf32>, %k: tensor<2x1x8x16xf32>) {
  %o, %l = clip.attention %q, %k, %k scale 0.25 : (tensor<2x4x8x16xf32>, tensor<2x1x8x16xf32>, tensor<2x1x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
  return
}
