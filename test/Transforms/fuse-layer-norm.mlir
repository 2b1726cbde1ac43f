// RUN: clip-opt --split-input-file --clip-fuse-layer-norm %s | FileCheck %s

// LayerNorm as the model files write it becomes one clip.layer_norm.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x8xf32>, %[[W:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[Y:.*]], %{{.*}}, %{{.*}} = clip.layer_norm %[[X]], %[[W]], %[[B]] epsilon 9.9999997473787516E-6 : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
// CHECK-NEXT: return %[[Y]]
func.func @layer_norm(%x: tensor<2x5x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x5x8xf32> {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %mean = clip.reduce_mean %x axes [2] keepdims : tensor<2x5x8xf32> -> tensor<2x5x1xf32>
  %c = clip.sub %x, %mean : (tensor<2x5x8xf32>, tensor<2x5x1xf32>) -> tensor<2x5x8xf32>
  %sq = clip.mul %c, %c : tensor<2x5x8xf32>
  %var = clip.reduce_mean %sq axes [2] keepdims : tensor<2x5x8xf32> -> tensor<2x5x1xf32>
  %ve = clip.add %var, %eps : (tensor<2x5x1xf32>, tensor<f32>) -> tensor<2x5x1xf32>
  %rstd = clip.rsqrt %ve : tensor<2x5x1xf32>
  %n = clip.mul %c, %rstd : (tensor<2x5x8xf32>, tensor<2x5x1xf32>) -> tensor<2x5x8xf32>
  %s = clip.mul %n, %w : (tensor<2x5x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %y = clip.add %s, %b : (tensor<2x5x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  return %y : tensor<2x5x8xf32>
}

// -----

// The same with every commutative operand swapped, division by sqrt, and a
// rank-2 input with a [1] eps.
// CHECK-LABEL: func.func @commuted
// CHECK-NEXT: clip.layer_norm %arg0, %arg1, %arg2 epsilon 9.9999999999999995E-7 : (tensor<4x8xf64>
// CHECK-NEXT: return
func.func @commuted(%x: tensor<4x8xf64>, %w: tensor<8xf64>, %b: tensor<8xf64>) -> tensor<4x8xf64> {
  %eps = clip.constant dense<1.0e-06> : tensor<1xf64>
  %mean = clip.reduce_mean %x axes [1] keepdims : tensor<4x8xf64> -> tensor<4x1xf64>
  %c = clip.sub %x, %mean : (tensor<4x8xf64>, tensor<4x1xf64>) -> tensor<4x8xf64>
  %sq = clip.mul %c, %c : tensor<4x8xf64>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<4x8xf64> -> tensor<4x1xf64>
  %ve = clip.add %eps, %var : (tensor<1xf64>, tensor<4x1xf64>) -> tensor<4x1xf64>
  %std = clip.sqrt %ve : tensor<4x1xf64>
  %n = clip.div %c, %std : (tensor<4x8xf64>, tensor<4x1xf64>) -> tensor<4x8xf64>
  %s = clip.mul %w, %n : (tensor<8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  %y = clip.add %b, %s : (tensor<8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
  return %y : tensor<4x8xf64>
}

// -----

// Pre-LN residual stream: the add feeding a layer norm joins it, and its
// other (later) user reads the fused op's sum.
// CHECK-LABEL: func.func @residual
// CHECK-NEXT: %[[SUM:.*]], %[[Y:.*]], %{{.*}}, %{{.*}} = clip.add_layer_norm %arg0, %arg1, %arg2, %arg3 epsilon
// CHECK-NEXT: %[[NEXT:.*]] = clip.add %[[SUM]], %[[Y]]
// CHECK-NEXT: return %[[NEXT]]
func.func @residual(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x8xf32> {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %x1 = clip.add %x, %r : tensor<2x8xf32>
  %mean = clip.reduce_mean %x1 axes [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
  %c = clip.sub %x1, %mean : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %sq = clip.mul %c, %c : tensor<2x8xf32>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
  %ve = clip.add %var, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %rstd = clip.rsqrt %ve : tensor<2x1xf32>
  %n = clip.mul %c, %rstd : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %s = clip.mul %n, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %y = clip.add %s, %b : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %x2 = clip.add %x1, %y : tensor<2x8xf32>
  return %x2 : tensor<2x8xf32>
}

// -----

// Near misses keep their ops.
// Normalizing over a dim other than the last.
// CHECK-LABEL: func.func @wrong_axis
// CHECK-NOT: layer_norm
// CHECK: return
func.func @wrong_axis(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %mean = clip.reduce_mean %x axes [0] keepdims : tensor<4x8xf32> -> tensor<1x8xf32>
  %c = clip.sub %x, %mean : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %sq = clip.mul %c, %c : tensor<4x8xf32>
  %var = clip.reduce_mean %sq axes [0] keepdims : tensor<4x8xf32> -> tensor<1x8xf32>
  %ve = clip.add %var, %eps : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %rstd = clip.rsqrt %ve : tensor<1x8xf32>
  %n = clip.mul %c, %rstd : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %s = clip.mul %n, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %y = clip.add %s, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// An intermediate (the variance) is also returned: fusing would lose it.
// CHECK-LABEL: func.func @intermediate_escapes
// CHECK-NOT: layer_norm
// CHECK: return
func.func @intermediate_escapes(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x1xf32>) {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %mean = clip.reduce_mean %x axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %c = clip.sub %x, %mean : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %sq = clip.mul %c, %c : tensor<4x8xf32>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %ve = clip.add %var, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %rstd = clip.rsqrt %ve : tensor<4x1xf32>
  %n = clip.mul %c, %rstd : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %s = clip.mul %n, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %y = clip.add %s, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y, %var : tensor<4x8xf32>, tensor<4x1xf32>
}

// -----

// A per-row weight [4, 8] is not LayerNorm's per-feature gain.
// CHECK-LABEL: func.func @weight_not_per_feature
// CHECK-NOT: layer_norm
// CHECK: return
func.func @weight_not_per_feature(%x: tensor<4x8xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %mean = clip.reduce_mean %x axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %c = clip.sub %x, %mean : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %sq = clip.mul %c, %c : tensor<4x8xf32>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %ve = clip.add %var, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %rstd = clip.rsqrt %ve : tensor<4x1xf32>
  %n = clip.mul %c, %rstd : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %s = clip.mul %n, %w : tensor<4x8xf32>
  %y = clip.add %s, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// eps is not a constant; and the mean is of another tensor than the one centered.
// CHECK-LABEL: func.func @eps_not_constant
// CHECK-NOT: layer_norm
// CHECK: return
func.func @eps_not_constant(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>, %eps: tensor<f32>) -> tensor<4x8xf32> {
  %mean = clip.reduce_mean %x axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %c = clip.sub %x, %mean : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %sq = clip.mul %c, %c : tensor<4x8xf32>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %ve = clip.add %var, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %rstd = clip.rsqrt %ve : tensor<4x1xf32>
  %n = clip.mul %c, %rstd : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %s = clip.mul %n, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %y = clip.add %s, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @mean_of_other
// CHECK-NOT: layer_norm
// CHECK: return
func.func @mean_of_other(%x: tensor<4x8xf32>, %z: tensor<4x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %mean = clip.reduce_mean %z axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %c = clip.sub %x, %mean : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %sq = clip.mul %c, %c : tensor<4x8xf32>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %ve = clip.add %var, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %rstd = clip.rsqrt %ve : tensor<4x1xf32>
  %n = clip.mul %c, %rstd : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %s = clip.mul %n, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %y = clip.add %s, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The sum is used before the layer norm: the add stays, the norm still fuses.
// CHECK-LABEL: func.func @sum_used_before
// CHECK: %[[SUM:.*]] = clip.add %arg0, %arg1
// CHECK: clip.mul %[[SUM]], %[[SUM]]
// CHECK: clip.layer_norm %[[SUM]]
// CHECK-NOT: add_layer_norm
func.func @sum_used_before(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %eps = clip.constant dense<1.0e-05> : tensor<f32>
  %x1 = clip.add %x, %r : tensor<2x8xf32>
  %early = clip.mul %x1, %x1 : tensor<2x8xf32>
  %mean = clip.reduce_mean %x1 axes [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
  %c = clip.sub %x1, %mean : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %sq = clip.mul %c, %c : tensor<2x8xf32>
  %var = clip.reduce_mean %sq axes [1] keepdims : tensor<2x8xf32> -> tensor<2x1xf32>
  %ve = clip.add %var, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %rstd = clip.rsqrt %ve : tensor<2x1xf32>
  %n = clip.mul %c, %rstd : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %s = clip.mul %n, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %y = clip.add %s, %b : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %y, %early : tensor<2x8xf32>, tensor<2x8xf32>
}
