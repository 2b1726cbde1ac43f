func.func @neg_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = clip.neg %x : tensor<4xf32>
  %b = clip.neg %a : tensor<4xf32>
  return %b : tensor<4xf32>
}
