func.func @gather_axis(%t: tensor<49408x512xf32>, %i: tensor<2x77xi64>) {
  %0 = clip.gather %t[%i] axis 2 : (tensor<49408x512xf32>, tensor<2x77xi64>) -> tensor<2x77x512xf32>
  return
}
