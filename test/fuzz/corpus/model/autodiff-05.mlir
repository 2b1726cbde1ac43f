func.func @forward() -> tensor<f32> {
  %x = clip.input "x" : tensor<3x2x2x2xf32>
  %g = clip.param "bn.weight" : tensor<2xf32>
  %b = clip.param "bn.bias" : tensor<2xf32>
  %m = clip.param "bn.running_mean" frozen : tensor<2xf32>
  %v = clip.param "bn.running_var" frozen : tensor<2xf32>
  %y, %m1, %v1 = clip.batch_norm_train %x, %g, %b, %m, %v epsilon 1.0e-05 momentum 1.0e-01 : (tensor<3x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<3x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>)
  %sq = clip.mul %y, %y : tensor<3x2x2x2xf32>
  %l = clip.reduce_mean %sq axes [0, 1, 2, 3] : tensor<3x2x2x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}
