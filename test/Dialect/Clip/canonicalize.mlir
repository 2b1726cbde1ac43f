// RUN: clip-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @neg_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = clip.neg %x : tensor<4xf32>
  %b = clip.neg %a : tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

// Unary ops on constants fold, computed in double and rounded once.
// CHECK-LABEL: func.func @unary_constants
// CHECK-DAG: clip.constant dense<2.71828175> : tensor<2xf32>
// CHECK-DAG: clip.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: clip.constant dense<5.000000e-01> : tensor<f64>
// CHECK-DAG: clip.constant dense<-3> : tensor<i64>
// CHECK-DAG: clip.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: clip.constant dense<0.841344773> : tensor<f32>
// CHECK-DAG: clip.constant dense<0.84579575> : tensor<f32>
// CHECK-NOT: clip.exp
// CHECK-NOT: clip.gelu
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
  // gelu(1) = 0.5 * (1 + erf(1/sqrt 2)) = 0.84134475; quick: 1/(1+e^-1.702) = 0.84579575
  %g = clip.gelu %c1 : tensor<f32>
  %q = clip.gelu %c1 approximate quick : tensor<f32>
  return %e, %l, %s, %n, %r, %g, %q : tensor<2xf32>, tensor<f32>, tensor<f64>, tensor<i64>, tensor<2xf32>, tensor<f32>, tensor<f32>
}

// -----

// Identities that are exact in IEEE arithmetic fold; x + 0.0 does not
// (-0.0 + 0.0 is +0.0), x + -0.0 does.
// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<3xi32>)
// CHECK: %[[POS:.*]] = clip.constant dense<0.000000e+00>
// CHECK: %[[ADD:.*]] = clip.add %[[X]], %[[POS]]
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[ADD]], %[[I]], %[[I]]
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

// -----

// An identity operand that would itself need broadcasting stays.
// CHECK-LABEL: func.func @identity_needs_broadcast
// CHECK: clip.mul
func.func @identity_needs_broadcast(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %one = clip.constant dense<1.0> : tensor<2x3xf32>
  %y = clip.mul %x, %one : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @binary_constants
// CHECK-DAG: clip.constant dense<[4.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: clip.constant dense<7> : tensor<i32>
// CHECK-DAG: clip.constant dense<-2> : tensor<i32>
// CHECK: %[[DIV:.*]] = clip.div
// CHECK: return {{.*}}, {{.*}}, {{.*}}, %[[DIV]]
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
  // Integer division by zero is left to run time.
  %zero = clip.constant dense<0> : tensor<i32>
  %bad = clip.div %three, %zero : tensor<i32>
  return %m, %seven, %neg2, %bad : tensor<2xf32>, tensor<i32>, tensor<i32>, tensor<i32>
}

// -----

// CHECK-LABEL: func.func @select_constant_condition
// CHECK-SAME: (%[[A:.*]]: tensor<2xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK-NEXT: return %[[B]], %[[A]]
func.func @select_constant_condition(%a: tensor<2xf32>, %b: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %false = clip.constant dense<false> : tensor<2xi1>
  %s = clip.select %false, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %c = clip.cmp eq, %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
  %same = clip.select %c, %a, %a : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %s, %same : tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @shape_identities
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @shape_identities(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %r = clip.reshape %x [-1, 4] : tensor<?x4xf32> -> tensor<?x4xf32>
  %t = clip.transpose %x [0, 1] : tensor<?x4xf32> -> tensor<?x4xf32>
  %b = clip.broadcast %x : tensor<?x4xf32> -> tensor<?x4xf32>
  %c = clip.concat %x axis 0 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s = clip.reduce_sum %x axes [] : tensor<?x4xf32> -> tensor<?x4xf32>
  %k = clip.cast %x : tensor<?x4xf32> to tensor<?x4xf32>
  %sl = clip.slice %x axis 1 from 0 to 4 : tensor<?x4xf32> -> tensor<?x4xf32>
  return %r, %t, %b, %c, %s, %k, %sl : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @compositions
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = clip.reshape %[[X]] [4, 6] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: %[[T:.*]] = clip.transpose %[[X]] [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
// CHECK-NEXT: %[[B:.*]] = clip.broadcast %[[V]] : tensor<4xf32> -> tensor<5x3x4xf32>
// CHECK-NEXT: return %[[R]], %[[T]], %[[B]]
func.func @compositions(%x: tensor<2x3x4xf32>, %v: tensor<4xf32>) -> (tensor<4x6xf32>, tensor<4x3x2xf32>, tensor<5x3x4xf32>) {
  %r1 = clip.reshape %x [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %r2 = clip.reshape %r1 [4, 6] : tensor<6x4xf32> -> tensor<4x6xf32>
  // [2,3,4] -[1,0,2]-> [3,2,4] -[2,0,1]-> [4,3,2]: one transpose [2,1,0].
  %t1 = clip.transpose %x [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %t2 = clip.transpose %t1 [2, 0, 1] : tensor<3x2x4xf32> -> tensor<4x3x2xf32>
  %b1 = clip.broadcast %v : tensor<4xf32> -> tensor<3x4xf32>
  %b2 = clip.broadcast %b1 : tensor<3x4xf32> -> tensor<5x3x4xf32>
  return %r2, %t2, %b2 : tensor<4x6xf32>, tensor<4x3x2xf32>, tensor<5x3x4xf32>
}

// -----

// Splat constants take any shape.
// CHECK-LABEL: func.func @splat_reshapes
// CHECK-DAG: clip.constant dense<2.000000e+00> : tensor<3x4xf32>
// CHECK-DAG: clip.constant dense<2.000000e+00> : tensor<4x3xf32>
// CHECK-DAG: clip.constant dense<2.000000e+00> : tensor<12xf32>
// CHECK-NOT: clip.broadcast
// CHECK-NOT: clip.transpose
// CHECK-NOT: clip.reshape
func.func @splat_reshapes() -> (tensor<3x4xf32>, tensor<4x3xf32>, tensor<12xf32>) {
  %c = clip.constant dense<2.0> : tensor<4xf32>
  %b = clip.broadcast %c : tensor<4xf32> -> tensor<3x4xf32>
  %t = clip.transpose %b [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %r = clip.reshape %b [12] : tensor<3x4xf32> -> tensor<12xf32>
  return %b, %t, %r : tensor<3x4xf32>, tensor<4x3xf32>, tensor<12xf32>
}

// -----

// An explicit broadcast into a broadcasting op is dropped when the op's own
// broadcasting gives the same result, and kept when it does not.
// CHECK-LABEL: func.func @drop_implicit_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<2x1xi1>)
// CHECK-DAG: %[[ADD:.*]] = clip.add %[[X]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-DAG: %[[SEL:.*]] = clip.select %[[C]], %[[X]], %[[B]] : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-DAG: %[[KEEP:.*]] = clip.broadcast %[[B]] : tensor<3xf32> -> tensor<2x3xf32>
// CHECK-DAG: %[[NEG:.*]] = clip.neg %[[KEEP]]
// CHECK: return %[[ADD]], %[[SEL]], %[[NEG]]
func.func @drop_implicit_broadcast(%x: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xi1>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %bb = clip.broadcast %b : tensor<3xf32> -> tensor<2x3xf32>
  %add = clip.add %x, %bb : tensor<2x3xf32>
  %sel = clip.select %c, %x, %bb : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // neg does not broadcast: its input must keep the full shape.
  %neg = clip.neg %bb : tensor<2x3xf32>
  return %add, %sel, %neg : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// The broadcast is the only thing giving the result its leading dim: kept.
// CHECK-LABEL: func.func @broadcast_needed
// CHECK: clip.broadcast
// CHECK: clip.add
func.func @broadcast_needed(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %bb = clip.broadcast %b : tensor<3xf32> -> tensor<2x3xf32>
  %add = clip.add %a, %bb : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %add : tensor<2x3xf32>
}

// -----

// Two transposes that undo each other vanish.
// CHECK-LABEL: func.func @transpose_roundtrip
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_roundtrip(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %t1 = clip.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %t2 = clip.transpose %t1 [1, 2, 0] : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
  return %t2 : tensor<2x3x4xf32>
}
