func.func @constant_hidden_mask(%q: tensor<2x3x4xf64>, %k: tensor<2x3x4xf64>) -> tensor<2x3x4xf64> {
  %half = clip.constant dense<5.0e-01> : tensor<f64>
  %qs = clip.mul %q, %half : (tensor<2x3x4xf64>, tensor<f64>) -> tensor<2x3x4xf64>
  %ks = clip.mul %k, %half : (tensor<2x3x4xf64>, tensor<f64>) -> tensor<2x3x4xf64>
  %s = clip.matmul %qs, %ks transpose_rhs : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x3xf64>
  %hidden = clip.constant dense<[[false, true, true], [false, false, true], [false, false, false]]> : tensor<3x3xi1>
  %ninf = clip.constant dense<0xFFF0000000000000> : tensor<f64>
  %m = clip.select %hidden, %ninf, %s : (tensor<3x3xi1>, tensor<f64>, tensor<2x3x3xf64>) -> tensor<2x3x3xf64>
  %p = clip.softmax %m axis 2 : tensor<2x3x3xf64>
  %o = clip.matmul %p, %k : (tensor<2x3x3xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  return %o : tensor<2x3x4xf64>
}
