// RUN: clip-opt --split-input-file --clip-fuse-elementwise %s | FileCheck %s

// F.normalize's tail: sqrt, clamp, divide become one group; the scalar eps
// is copied into the body; the reduction before it is not elementwise.
// CHECK-LABEL: func.func @normalize
// CHECK-NEXT: %[[SQ:.*]] = clip.mul %arg0, %arg0
// CHECK-NEXT: %[[SS:.*]] = clip.reduce_sum %[[SQ]]
// CHECK-NEXT: %[[R:.*]] = clip.elementwise(%[[SS]], %arg0) : (tensor<4x1xf32>, tensor<4x8xf32>) -> tensor<4x8xf32> {
// CHECK-NEXT: ^bb0(%[[S:.*]]: tensor<4x1xf32>, %[[X:.*]]: tensor<4x8xf32>):
// CHECK-NEXT:   %[[EPS:.*]] = clip.constant dense<9.99999996E-13> : tensor<f32>
// CHECK-NEXT:   %[[N:.*]] = clip.sqrt %[[S]]
// CHECK-NEXT:   %[[C:.*]] = clip.max %[[N]], %[[EPS]]
// CHECK-NEXT:   %[[D:.*]] = clip.div %[[X]], %[[C]]
// CHECK-NEXT:   clip.yield %[[D]] : tensor<4x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]]
func.func @normalize(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %sq = clip.mul %x, %x : tensor<4x8xf32>
  %ss = clip.reduce_sum %sq axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %n = clip.sqrt %ss : tensor<4x1xf32>
  %eps = clip.constant dense<1.0e-12> : tensor<f32>
  %c = clip.max %n, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %d = clip.div %x, %c : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}

// -----

// A value that is also read after the chain becomes a second result; a
// broadcast, a compare and a select join the group.
// CHECK-LABEL: func.func @multi_output
// CHECK-NEXT: %[[R:.*]]:2 = clip.elementwise(%arg0, %arg1) : (tensor<8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>) {
// CHECK:        clip.exp
// CHECK-NEXT:   clip.broadcast
// CHECK-NEXT:   clip.cmp gt
// CHECK-NEXT:   clip.select
// CHECK-NEXT:   clip.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[T:.*]] = clip.reduce_sum %[[R]]#1
// CHECK-NEXT: return %[[R]]#0, %[[T]]
func.func @multi_output(%v: tensor<8xf32>, %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<f32>) {
  %e = clip.exp %v : tensor<8xf32>
  %b = clip.broadcast %e : tensor<8xf32> -> tensor<4x8xf32>
  %gt = clip.cmp gt, %b, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  %s = clip.select %gt, %b, %y : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %t = clip.reduce_sum %e axes [0] : tensor<8xf32> -> tensor<f32>
  return %s, %t : tensor<4x8xf32>, tensor<f32>
}

// -----

// Two chains that share an input stay two groups; a lone op is not wrapped.
// CHECK-LABEL: func.func @two_chains
// CHECK-NEXT: clip.elementwise(%arg0)
// CHECK:      clip.elementwise(%arg0)
// CHECK:      %[[L:.*]] = clip.neg %arg1
// CHECK-NOT:  clip.elementwise
func.func @two_chains(%x: tensor<4xf32>, %z: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %a = clip.exp %x : tensor<4xf32>
  %b = clip.tanh %a : tensor<4xf32>
  %c = clip.erf %x : tensor<4xf32>
  %d = clip.sigmoid %c : tensor<4xf32>
  %lone = clip.neg %z : tensor<4xf32>
  return %b, %d, %lone : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Near miss: the producer is also read before the consumer (by the
// reduction that the consumer needs), so it cannot move down to it.
// CHECK-LABEL: func.func @read_before
// CHECK-NOT: clip.elementwise
func.func @read_before(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = clip.exp %x : tensor<4x8xf32>
  %s = clip.reduce_sum %e axes [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %d = clip.div %e, %s : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}
