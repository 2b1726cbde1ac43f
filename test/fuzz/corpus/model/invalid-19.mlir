func.func @gelu_bad_approximation(%x: tensor<4xf32>) {
  %0 = clip.gelu %x approximate exact : tensor<4xf32>
  return
}
