// RUN: clip-opt %s | clip-opt | FileCheck %s
// RUN: clip-opt %s --mlir-print-op-generic | clip-opt | FileCheck %s

// Round trip of the fused ops that the clip-fuse-* passes form. Optional
// parts (causal, a GEMM's bias/activation/residual) print only when present.

// CHECK-LABEL: func.func @attention
// CHECK-NEXT: %attn, %attn_lse = clip.attention %arg0, %arg1, %arg2 scale 1.250000e-01 causal : (tensor<2x8x77x64xf32>, tensor<2x8x77x64xf32>, tensor<2x8x77x32xf32>) -> (tensor<2x8x77x32xf32>, tensor<2x8x77xf32>)
// CHECK-NEXT: %{{.*}}, %{{.*}} = clip.attention %arg3, %arg4, %arg4 scale 5.000000e-01 : (tensor<?x4x1x16xbf16>, tensor<?x4x5x16xbf16>, tensor<?x4x5x16xbf16>) -> (tensor<?x4x1x16xbf16>, tensor<?x4x1xf32>)
func.func @attention(%q: tensor<2x8x77x64xf32>, %k: tensor<2x8x77x64xf32>, %v: tensor<2x8x77x32xf32>,
                     %q1: tensor<?x4x1x16xbf16>, %kv: tensor<?x4x5x16xbf16>) -> (tensor<2x8x77x32xf32>, tensor<2x8x77xf32>, tensor<?x4x1xf32>) {
  %o, %lse = clip.attention %q, %k, %v scale 0.125 causal : (tensor<2x8x77x64xf32>, tensor<2x8x77x64xf32>, tensor<2x8x77x32xf32>) -> (tensor<2x8x77x32xf32>, tensor<2x8x77xf32>)
  %o1, %lse1 = clip.attention %q1, %kv, %kv scale 0.5 : (tensor<?x4x1x16xbf16>, tensor<?x4x5x16xbf16>, tensor<?x4x5x16xbf16>) -> (tensor<?x4x1x16xbf16>, tensor<?x4x1xf32>)
  return %o, %lse, %lse1 : tensor<2x8x77x32xf32>, tensor<2x8x77xf32>, tensor<?x4x1xf32>
}

// CHECK-LABEL: func.func @contrastive_loss
// CHECK-NEXT: %loss, %image_norm, %text_norm, %image_lse, %text_lse = clip.contrastive_loss %arg0, %arg1, %arg2 epsilon 9.9999999999999998E-13 : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<f32>) -> (tensor<f32>, tensor<?x1xf32>, tensor<?x1xf32>, tensor<?xf32>, tensor<?xf32>)
func.func @contrastive_loss(%i: tensor<?x512xf32>, %t: tensor<?x512xf32>, %s: tensor<f32>) -> tensor<f32> {
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %i, %t, %s epsilon 1.0e-12 : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<f32>) -> (tensor<f32>, tensor<?x1xf32>, tensor<?x1xf32>, tensor<?xf32>, tensor<?xf32>)
  return %loss : tensor<f32>
}

// CHECK-LABEL: func.func @sigmoid_loss
// CHECK-NEXT: %loss, %image_norm, %text_norm = clip.sigmoid_loss %arg0, %arg1, %arg2, %arg3 epsilon 9.9999999999999998E-13 : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<?x1xf32>, tensor<?x1xf32>)
func.func @sigmoid_loss(%i: tensor<?x512xf32>, %t: tensor<?x512xf32>, %s: tensor<f32>, %b: tensor<f32>) -> tensor<f32> {
  %loss, %in, %tn = clip.sigmoid_loss %i, %t, %s, %b epsilon 1.0e-12 : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<?x1xf32>, tensor<?x1xf32>)
  return %loss : tensor<f32>
}

// CHECK-LABEL: func.func @gemm
// CHECK-NEXT: %gemm = clip.gemm %arg0, %arg1 : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: clip.gemm %arg0, %arg2 transpose_rhs bias %arg3 activation quick_gelu : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: clip.gemm %arg4, %arg1 transpose_lhs activation gelu_tanh residual %arg5 : (tensor<8x4xf32>, tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: clip.gemm %arg0, %arg2 transpose_rhs bias %arg3 activation gelu residual %arg5 : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
func.func @gemm(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %bt: tensor<16x8xf32>, %bias: tensor<16xf32>,
                %at: tensor<8x4xf32>, %r: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = clip.gemm %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = clip.gemm %a, %bt transpose_rhs bias %bias activation quick_gelu : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = clip.gemm %at, %b transpose_lhs activation gelu_tanh residual %r : (tensor<8x4xf32>, tensor<8x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %3 = clip.gemm %a, %bt transpose_rhs bias %bias activation gelu residual %r : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0, %1, %2, %3 : tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>
}

// CHECK-LABEL: func.func @elementwise
// CHECK-NEXT: %[[R:fused]]:2 = clip.elementwise(%arg0, %arg1) : (tensor<4x8xf32>, tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<f32>):
// CHECK-NEXT:   %[[Z:.*]] = clip.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT:   %[[E:.*]] = clip.exp %[[B]] : tensor<f32>
// CHECK-NEXT:   %[[M:.*]] = clip.mul %[[A]], %[[E]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// CHECK-NEXT:   %[[C:.*]] = clip.cmp gt, %[[M]], %[[Z]] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi1>
// CHECK-NEXT:   clip.yield %[[M]], %[[C]] : tensor<4x8xf32>, tensor<4x8xi1>
// CHECK-NEXT: }
func.func @elementwise(%x: tensor<4x8xf32>, %s: tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
  %r:2 = clip.elementwise (%x, %s) : (tensor<4x8xf32>, tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xi1>) {
  ^bb0(%a: tensor<4x8xf32>, %b: tensor<f32>):
    %zero = clip.constant dense<0.0> : tensor<f32>
    %e = clip.exp %b : tensor<f32>
    %m = clip.mul %a, %e : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
    %c = clip.cmp gt, %m, %zero : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi1>
    clip.yield %m, %c : tensor<4x8xf32>, tensor<4x8xi1>
  }
  return %r#0, %r#1 : tensor<4x8xf32>, tensor<4x8xi1>
}
