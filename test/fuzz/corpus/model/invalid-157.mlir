func.func @attention_lse_type(%q: tensor<2x8x16xf16>) {
  %o, %l = clip.attention %q, %q, %q scale 0.25 : (tensor<2x8x16xf16>, tensor<2x8x16xf16>, tensor<2x8x16xf16>) -> (tensor<2x8x16xf16>, tensor<2x8xf16>)
  return
}
