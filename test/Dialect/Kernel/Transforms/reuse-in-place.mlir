// RUN: clip-opt --split-input-file --convert-clip-to-kernel --kernel-reuse-in-place %s | FileCheck %s

// exp reads %a last and has its type: it writes over %a. The add then reads
// the exp's result (now %a's buffer) last and writes over it too. The
// gemm's output is not pointwise and keeps its own buffer.
// CHECK-LABEL: func.func @chain() {
// CHECK:         %[[A:.*]] = kernel.alloc : memref<2x4xf32>
// CHECK:         kernel.launch @gemm_0 {{.*}} outs(%[[A]] : memref<2x4xf32>)
// CHECK-NOT:     kernel.alloc
// CHECK:         kernel.launch @exp_1 ins(%[[A]] : memref<2x4xf32>) outs(%[[A]] : memref<2x4xf32>)
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      clip.exp
// CHECK-NEXT:      kernel.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    kernel.launch @add_2 ins(%[[A]], %{{.*}} : memref<2x4xf32>, memref<4xf32>) outs(%[[A]] : memref<2x4xf32>)
// CHECK:         kernel.output "result0" %[[A]]
func.func @chain() -> tensor<2x4xf32> {
  %x = clip.input "x" : tensor<2x8xf32>
  %w = clip.param "w" : tensor<4x8xf32>
  %b = clip.param "b" : tensor<4xf32>
  %a = clip.gemm %x, %w transpose_rhs : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %e = clip.exp %a : tensor<2x4xf32>
  %s = clip.add %e, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}

// -----

// Near misses: %a is read again later (the exp may not overwrite it); the
// add may write over the dying %e, but %s is a step output, so the neg may
// not overwrite it; a reduction is not pointwise.
// CHECK-LABEL: func.func @kept() {
// CHECK:         %[[A:.*]] = kernel.alloc : memref<2x4xf32>
// CHECK:         kernel.launch @gemm_0 {{.*}} outs(%[[A]] : memref<2x4xf32>)
// CHECK:         %[[E:.*]] = kernel.alloc : memref<2x4xf32>
// CHECK:         kernel.launch @exp_1 ins(%[[A]] : memref<2x4xf32>) outs(%[[E]] : memref<2x4xf32>)
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      clip.exp
// CHECK-NEXT:      kernel.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    kernel.launch @add_2 ins(%[[E]], %[[A]] : memref<2x4xf32>, memref<2x4xf32>) outs(%[[E]] : memref<2x4xf32>)
// CHECK:         %[[N:.*]] = kernel.alloc : memref<2x4xf32>
// CHECK:         kernel.launch @neg_3 ins(%[[E]] : memref<2x4xf32>) outs(%[[N]] : memref<2x4xf32>)
// CHECK:         %[[R:.*]] = kernel.alloc : memref<2x1xf32>
// CHECK:         kernel.launch @reduce_sum_4 ins(%[[N]] : memref<2x4xf32>) outs(%[[R]] : memref<2x1xf32>)
// CHECK:         kernel.output "result0" %[[E]]
func.func @kept() -> (tensor<2x4xf32>, tensor<2x1xf32>) {
  %x = clip.input "x" : tensor<2x8xf32>
  %w = clip.param "w" : tensor<4x8xf32>
  %a = clip.gemm %x, %w transpose_rhs : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %e = clip.exp %a : tensor<2x4xf32>
  %s = clip.add %e, %a : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %n = clip.neg %s : tensor<2x4xf32>
  %r = clip.reduce_sum %n axes [1] keepdims : tensor<2x4xf32> -> tensor<2x1xf32>
  return %s, %r : tensor<2x4xf32>, tensor<2x1xf32>
}

// -----

// A multi-result region whose small result (the per-channel rsqrt) has the
// type of its dying small input: every loop element reads that input, so
// the first write would corrupt later reads. Only full-size results reuse.
// CHECK-LABEL: func.func @broadcast_result() {
// CHECK:         %[[V:.*]] = kernel.alloc : memref<1x4xf32>
// CHECK:         kernel.launch @reduce_mean_0 {{.*}} outs(%[[V]] : memref<1x4xf32>)
// CHECK:         %[[R:.*]] = kernel.alloc : memref<1x4xf32>
// CHECK:         kernel.launch @elementwise_1 ins(%[[V]], %{{.*}} : memref<1x4xf32>, memref<2x4xf32>) outs(%{{.*}}, %[[R]] : memref<2x4xf32>, memref<1x4xf32>)
func.func @broadcast_result() -> (tensor<2x4xf32>, tensor<1x4xf32>) {
  %x = clip.input "x" : tensor<2x4xf32>
  %v = clip.reduce_mean %x axes [0] keepdims : tensor<2x4xf32> -> tensor<1x4xf32>
  %y:2 = clip.elementwise (%v, %x) : (tensor<1x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<1x4xf32>) {
  ^bb0(%a: tensor<1x4xf32>, %b: tensor<2x4xf32>):
    %r = clip.rsqrt %a : tensor<1x4xf32>
    %m = clip.mul %b, %r : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
    clip.yield %m, %r : tensor<2x4xf32>, tensor<1x4xf32>
  }
  return %y#0, %y#1 : tensor<2x4xf32>, tensor<1x4xf32>
}
