func.func @unary_constants() -> (tensor<2xf32>, tensor<f32>, tensor<f64>, tensor<i64>, tensor<2xf32>, tensor<f32>, tensor<f32>) {
  %one = clip.constant dense<1.0> : tensor<2xf32>
  %e = clip.exp %one : tensor<2xf32>
  %c1 = clip.constant dense<1.0> : tensor<f32>
  %l = clip.log %c1 : tensor<f32>
  %zero = clip.constant dense<0.0> : tensor<f64>
  %s = clip.sigmoid %zero : tensor<f64>
  %three = clip.constant dense<3> : tensor<i64>
  %n = clip.neg %three : tensor<i64>
  %sq = clip.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %r = clip.sqrt %sq : tensor<2xf32>
  %g = clip.gelu %c1 : tensor<f32>
  %q = clip.gelu %c1 approximate quick : tensor<f32>
  return %e, %l, %s, %n, %r, %g, %q : tensor<2xf32>, tensor<f32>, tensor<f64>, tensor<i64>, tensor<2xf32>, tensor<f32>, tensor<f32>
}
