func.func @gemm_residual(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %r: tensor<1x16xf32>) {
  %0 = clip.gemm %a, %b residual %r : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<1x16xf32>) -> tensor<4x16xf32>
  return
}
