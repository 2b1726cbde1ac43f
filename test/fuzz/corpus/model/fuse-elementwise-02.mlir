func.func @two_chains(%x: tensor<4xf32>, %z: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %a = clip.exp %x : tensor<4xf32>
  %b = clip.tanh %a : tensor<4xf32>
  %c = clip.erf %x : tensor<4xf32>
  %d = clip.sigmoid %c : tensor<4xf32>
  %lone = clip.neg %z : tensor<4xf32>
  return %b, %d, %lone : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
