func.func @select_condition_on_true(%c: tensor<77x77xi1>, %t: tensor<2x8x77x76xf32>, %f: tensor<f32>) {
  %0 = clip.select %c, %t, %f : (tensor<77x77xi1>, tensor<2x8x77x76xf32>, tensor<f32>) -> tensor<2x8x77x77xf32>
  return
}
