func.func @binary_constants() -> (tensor<2xf32>, tensor<i32>, tensor<i32>, tensor<i32>) {
  %a = clip.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %b = clip.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %s = clip.add %a, %b : tensor<2xf32>
  %m = clip.max %s, %b : tensor<2xf32>
  %three = clip.constant dense<3> : tensor<i32>
  %four = clip.constant dense<4> : tensor<i32>
  %seven = clip.add %three, %four : tensor<i32>
  %neg7 = clip.neg %seven : tensor<i32>
  %neg2 = clip.div %neg7, %three : tensor<i32>
  %zero = clip.constant dense<0> : tensor<i32>
  %bad = clip.div %three, %zero : tensor<i32>
  return %m, %seven, %neg2, %bad : tensor<2xf32>, tensor<i32>, tensor<i32>, tensor<i32>
}
