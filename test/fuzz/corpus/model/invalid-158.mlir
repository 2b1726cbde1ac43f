func.func @attention_scale(%q: tensor<2x8x16xf32>) {
  %o, %l = clip.attention %q, %q, %q scale -0.25 : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8xf32>)
  return
}
