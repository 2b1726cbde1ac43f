// RUN: clip-opt --split-input-file --clip-fuse-epilogues %s | FileCheck %s

// The MLP of a residual block: c_fc with bias and GELU, c_proj with bias and
// the residual add; the bias may come first in the add.
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x8xf32>, %[[W1:.*]]: tensor<32x8xf32>, %[[B1:.*]]: tensor<32xf32>, %[[W2:.*]]: tensor<8x32xf32>, %[[B2:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[H:.*]] = clip.gemm %[[X]], %[[W1]] transpose_rhs bias %[[B1]] activation quick_gelu : (tensor<2x5x8xf32>, tensor<32x8xf32>, tensor<32xf32>) -> tensor<2x5x32xf32>
// CHECK-NEXT: %[[Y:.*]] = clip.gemm %[[H]], %[[W2]] transpose_rhs bias %[[B2]] residual %[[X]] : (tensor<2x5x32xf32>, tensor<8x32xf32>, tensor<8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @mlp(%x: tensor<2x5x8xf32>, %w1: tensor<32x8xf32>, %b1: tensor<32xf32>, %w2: tensor<8x32xf32>, %b2: tensor<8xf32>) -> tensor<2x5x8xf32> {
  %fc_mm = clip.matmul %x, %w1 transpose_rhs : (tensor<2x5x8xf32>, tensor<32x8xf32>) -> tensor<2x5x32xf32>
  %fc = clip.add %fc_mm, %b1 : (tensor<2x5x32xf32>, tensor<32xf32>) -> tensor<2x5x32xf32>
  %act = clip.gelu %fc approximate quick : tensor<2x5x32xf32>
  %proj_mm = clip.matmul %act, %w2 transpose_rhs : (tensor<2x5x32xf32>, tensor<8x32xf32>) -> tensor<2x5x8xf32>
  %proj = clip.add %b2, %proj_mm : (tensor<8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %out = clip.add %x, %proj : tensor<2x5x8xf32>
  return %out : tensor<2x5x8xf32>
}

// -----

// GELU straight after a product (no bias), then a residual; a plain matmul
// with nothing after it stays a matmul.
// CHECK-LABEL: func.func @no_bias
// CHECK-NEXT: %[[G:.*]] = clip.gemm %arg0, %arg1 activation gelu residual %arg2 : (tensor<4x8xf64>, tensor<8x4xf64>, tensor<4x4xf64>) -> tensor<4x4xf64>
// CHECK-NEXT: %[[M:.*]] = clip.matmul %arg0, %arg1
// CHECK-NEXT: return %[[G]], %[[M]]
func.func @no_bias(%a: tensor<4x8xf64>, %b: tensor<8x4xf64>, %r: tensor<4x4xf64>) -> (tensor<4x4xf64>, tensor<4x4xf64>) {
  %mm = clip.matmul %a, %b : (tensor<4x8xf64>, tensor<8x4xf64>) -> tensor<4x4xf64>
  %g = clip.gelu %mm : tensor<4x4xf64>
  %out = clip.add %g, %r : tensor<4x4xf64>
  %plain = clip.matmul %a, %b : (tensor<4x8xf64>, tensor<8x4xf64>) -> tensor<4x4xf64>
  return %out, %plain : tensor<4x4xf64>, tensor<4x4xf64>
}

// -----

// Near misses. A bias after the activation is not an epilogue of that GEMM.
// CHECK-LABEL: func.func @bias_after_activation
// CHECK-NEXT: %[[G:.*]] = clip.gemm %arg0, %arg1 activation gelu_tanh
// CHECK-NEXT: clip.add %[[G]], %arg2
func.func @bias_after_activation(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %bias: tensor<4xf32>) -> tensor<4x4xf32> {
  %mm = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %g = clip.gelu %mm approximate tanh : tensor<4x4xf32>
  %out = clip.add %g, %bias : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return %out : tensor<4x4xf32>
}

// -----

// The product is also returned, so it must be stored anyway.
// CHECK-LABEL: func.func @product_used_twice
// CHECK-NOT: clip.gemm
func.func @product_used_twice(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %bias: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %mm = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %out = clip.add %mm, %bias : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
  return %out, %mm : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A per-row vector ([M, 1]) or a broadcast [1, N] row is neither a bias
// nor a residual; an integer product has no epilogue.
// CHECK-LABEL: func.func @not_bias_shaped
// CHECK-NOT: clip.gemm
func.func @not_bias_shaped(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %col: tensor<4x1xf32>, %row: tensor<1x4xf32>,
                           %ia: tensor<4x8xi64>, %ib: tensor<8x4xi64>, %ibias: tensor<4xi64>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xi64>) {
  %mm = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %c = clip.add %mm, %col : (tensor<4x4xf32>, tensor<4x1xf32>) -> tensor<4x4xf32>
  %mm2 = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %r = clip.add %mm2, %row : (tensor<4x4xf32>, tensor<1x4xf32>) -> tensor<4x4xf32>
  %imm = clip.matmul %ia, %ib : (tensor<4x8xi64>, tensor<8x4xi64>) -> tensor<4x4xi64>
  %i = clip.add %imm, %ibias : (tensor<4x4xi64>, tensor<4xi64>) -> tensor<4x4xi64>
  return %c, %r, %i : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xi64>
}

// -----

// After a residual nothing more joins: a second add stays an add.
// CHECK-LABEL: func.func @two_residuals
// CHECK-NEXT: %[[G:.*]] = clip.gemm %arg0, %arg1 residual %arg2
// CHECK-NEXT: clip.add %[[G]], %arg2
func.func @two_residuals(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %r: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %mm = clip.matmul %a, %b : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %x = clip.add %mm, %r : tensor<4x4xf32>
  %y = clip.add %x, %r : tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}
