func.func @concat_dim(%a: tensor<2x1x768xf32>, %b: tensor<2x196x768xf32>, %c: tensor<2x4x512xf32>) {
  %0 = clip.concat %a, %b, %c axis 1 : (tensor<2x1x768xf32>, tensor<2x196x768xf32>, tensor<2x4x512xf32>) -> tensor<2x201x768xf32>
  return
}
