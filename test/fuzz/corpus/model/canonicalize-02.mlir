func.func @identities(%x: tensor<2x3xf32>, %i: tensor<3xi32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xi32>, tensor<3xi32>) {
  %negzero = clip.constant dense<-0.0> : tensor<f32>
  %poszero = clip.constant dense<0.0> : tensor<f32>
  %one = clip.constant dense<1.0> : tensor<3xf32>
  %izero = clip.constant dense<0> : tensor<3xi32>
  %ione = clip.constant dense<1> : tensor<i32>
  %a = clip.add %x, %negzero : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %b = clip.sub %x, %poszero : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %c = clip.mul %one, %x : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %d = clip.div %x, %one : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %e = clip.max %x, %x : tensor<2x3xf32>
  %f = clip.add %x, %poszero : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %g = clip.add %izero, %i : tensor<3xi32>
  %h = clip.mul %i, %ione : (tensor<3xi32>, tensor<i32>) -> tensor<3xi32>
  return %a, %b, %c, %d, %e, %f, %g, %h : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xi32>, tensor<3xi32>
}
