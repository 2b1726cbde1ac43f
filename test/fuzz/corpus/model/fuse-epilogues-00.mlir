func.func @mlp(%x: tensor<2x5x8xf32>, %w1: tensor<32x8xf32>, %b1: tensor<32xf32>, %w2: tensor<8x32xf32>, %b2: tensor<8xf32>) -> tensor<2x5x8xf32> {
  %fc_mm = clip.matmul %x, %w1 transpose_rhs : (tensor<2x5x8xf32>, tensor<32x8xf32>) -> tensor<2x5x32xf32>
  %fc = clip.add %fc_mm, %b1 : (tensor<2x5x32xf32>, tensor<32xf32>) -> tensor<2x5x32xf32>
  %act = clip.gelu %fc approximate quick : tensor<2x5x32xf32>
  %proj_mm = clip.matmul %act, %w2 transpose_rhs : (tensor<2x5x32xf32>, tensor<8x32xf32>) -> tensor<2x5x8xf32>
  %proj = clip.add %b2, %proj_mm : (tensor<8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %out = clip.add %x, %proj : tensor<2x5x8xf32>
  return %out : tensor<2x5x8xf32>
}
