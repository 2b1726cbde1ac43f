func.func @select_mask_divided_scores(%q: tensor<3x4x16xf32>, %k: tensor<3x4x16xf32>, %v: tensor<3x4x8xf32>) -> tensor<3x4x8xf32> {
  %kt = clip.transpose %k [0, 2, 1] : tensor<3x4x16xf32> -> tensor<3x16x4xf32>
  %s = clip.matmul %q, %kt : (tensor<3x4x16xf32>, tensor<3x16x4xf32>) -> tensor<3x4x4xf32>
  %d = clip.constant dense<4.0> : tensor<1xf32>
  %sd = clip.div %s, %d : (tensor<3x4x4xf32>, tensor<1xf32>) -> tensor<3x4x4xf32>
  %visible = clip.causal_mask : tensor<4x4xi1>
  %ninf = clip.constant dense<0xFF800000> : tensor<f32>
  %m = clip.select %visible, %sd, %ninf : (tensor<4x4xi1>, tensor<3x4x4xf32>, tensor<f32>) -> tensor<3x4x4xf32>
  %p = clip.softmax %m axis 2 : tensor<3x4x4xf32>
  %o = clip.matmul %p, %v : (tensor<3x4x4xf32>, tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
  return %o : tensor<3x4x8xf32>
}
