// RUN: clip-opt --split-input-file --convert-clip-to-kernel --kernel-mixed-precision=precision=bf16 %s | FileCheck %s
// RUN: clip-opt --split-input-file --convert-clip-to-kernel --kernel-mixed-precision=precision=fp32 %s | FileCheck %s --check-prefix=FP32
// RUN: not clip-opt --convert-clip-to-kernel --kernel-mixed-precision=precision=fp16 %s 2>&1 | FileCheck %s --check-prefix=BAD

// Where bf16 lands on a block. The launch bodies keep their f32 tensors (every
// kernel computes in f32); only buffers change. LayerNorm's output is bf16, its
// statistics f32; the projection weight (an f32 parameter) is read through one
// bf16 copy that both GEMMs share; attention's output is bf16, its log-sum-exp
// f32; the step outputs (the residual GEMM's result, the reduction) stay f32,
// and the f32 input is read as it is where no GEMM multiplies it.
// CHECK-LABEL: func.func @block() {
// CHECK:         %[[X:.*]] = kernel.input "x" : memref<2x4x8xf32>
// CHECK:         %[[W:.*]] = kernel.param "proj.weight" : memref<8x8xf32>
// CHECK:         %[[LN:.*]] = kernel.alloc : memref<2x4x8xbf16>
// CHECK-NEXT:    %[[MEAN:.*]] = kernel.alloc : memref<2x4x1xf32>
// CHECK-NEXT:    %[[RSTD:.*]] = kernel.alloc : memref<2x4x1xf32>
// CHECK-NEXT:    kernel.launch @layer_norm_0 ins(%[[X]], {{.*}} : memref<2x4x8xf32>, memref<8xf32>, memref<8xf32>) outs(%[[LN]], %[[MEAN]], %[[RSTD]] : memref<2x4x8xbf16>, memref<2x4x1xf32>, memref<2x4x1xf32>)
// CHECK-NEXT:    ^bb0(%{{.*}}: tensor<2x4x8xf32>, %{{.*}}: tensor<8xf32>, %{{.*}}: tensor<8xf32>):
// CHECK-NEXT:      clip.layer_norm {{.*}} -> (tensor<2x4x8xf32>, tensor<2x4x1xf32>, tensor<2x4x1xf32>)
// CHECK:         %[[Q:.*]] = kernel.alloc : memref<2x4x8xbf16>
// CHECK-NEXT:    %[[WB:.*]] = kernel.alloc : memref<8x8xbf16>
// CHECK-NEXT:    kernel.launch @cast_bf16_0 ins(%[[W]] : memref<8x8xf32>) outs(%[[WB]] : memref<8x8xbf16>)
// CHECK-NEXT:    ^bb0(%[[A0:.*]]: tensor<8x8xf32>):
// CHECK-NEXT:      %[[C:.*]] = clip.cast %[[A0]] : tensor<8x8xf32> to tensor<8x8xbf16>
// CHECK-NEXT:      kernel.yield %[[C]] : tensor<8x8xbf16>
// CHECK:         kernel.launch @gemm_1 ins(%[[LN]], %[[WB]], %{{.*}} : memref<2x4x8xbf16>, memref<8x8xbf16>, memref<8xf32>) outs(%[[Q]] : memref<2x4x8xbf16>)
// CHECK-NEXT:    ^bb0(%{{.*}}: tensor<2x4x8xf32>, %{{.*}}: tensor<8x8xf32>, %{{.*}}: tensor<8xf32>):
// CHECK:         %[[ATT:.*]] = kernel.alloc : memref<2x4x8xbf16>
// CHECK-NEXT:    %[[LSE:.*]] = kernel.alloc : memref<2x4xf32>
// CHECK-NEXT:    kernel.launch @attention_2 ins(%[[Q]], %[[LN]] : {{.*}}) outs(%[[ATT]], %[[LSE]] : memref<2x4x8xbf16>, memref<2x4xf32>)
// CHECK:         %[[Y:.*]] = kernel.alloc : memref<2x4x8xf32>
// CHECK-NEXT:    kernel.launch @gemm_3 ins(%[[ATT]], %[[WB]], %[[X]] : memref<2x4x8xbf16>, memref<8x8xbf16>, memref<2x4x8xf32>) outs(%[[Y]] : memref<2x4x8xf32>)
// CHECK:         %[[S:.*]] = kernel.alloc : memref<8xf32>
// CHECK-NEXT:    kernel.launch @reduce_sum_4 ins(%[[ATT]] : memref<2x4x8xbf16>) outs(%[[S]] : memref<8xf32>)
// CHECK:         kernel.output "result0" %[[Y]] : memref<2x4x8xf32>
// CHECK-NEXT:    kernel.output "result1" %[[S]] : memref<8xf32>

// FP32-LABEL: func.func @block() {
// FP32-NOT:     bf16
// FP32:         return

// BAD: error: kernel-mixed-precision: precision must be fp32 or bf16, not 'fp16'
func.func @block() -> (tensor<2x4x8xf32>, tensor<8xf32>) {
  %x = clip.input "x" : tensor<2x4x8xf32>
  %g = clip.param "ln.weight" : tensor<8xf32>
  %b = clip.param "ln.bias" : tensor<8xf32>
  %w = clip.param "proj.weight" : tensor<8x8xf32>
  %pb = clip.param "proj.bias" : tensor<8xf32>
  %ln, %mean, %rstd = clip.layer_norm %x, %g, %b epsilon 1.0e-05 : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x1xf32>, tensor<2x4x1xf32>)
  %q = clip.gemm %ln, %w transpose_rhs bias %pb : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %a, %lse = clip.attention %q, %ln, %ln scale 0.35 : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>)
  %y = clip.gemm %a, %w transpose_rhs residual %x : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %s = clip.reduce_sum %a axes [0, 1] : tensor<2x4x8xf32> -> tensor<8xf32>
  return %y, %s : tensor<2x4x8xf32>, tensor<8xf32>
}

// -----

// Views follow their buffer: the reshape of a bf16 GEMM result is a bf16 view.
// The f32 input the first GEMM multiplies is rounded by a cast launch too.
// CHECK-LABEL: func.func @views() {
// CHECK:         %[[X:.*]] = kernel.input "x" : memref<4x8xf32>
// CHECK:         %[[H:.*]] = kernel.alloc : memref<4x8xbf16>
// CHECK-NEXT:    %[[XB:.*]] = kernel.alloc : memref<4x8xbf16>
// CHECK-NEXT:    kernel.launch @cast_bf16_0 ins(%[[X]] : memref<4x8xf32>) outs(%[[XB]] : memref<4x8xbf16>)
// CHECK:         %[[WB:.*]] = kernel.alloc : memref<8x8xbf16>
// CHECK-NEXT:    kernel.launch @cast_bf16_1
// CHECK:         kernel.launch @gemm_0 ins(%[[XB]], %[[WB]] : memref<4x8xbf16>, memref<8x8xbf16>) outs(%[[H]] : memref<4x8xbf16>)
// CHECK:         %[[HV:.*]] = kernel.view %[[H]][0] : memref<4x8xbf16> -> memref<2x2x8xbf16>
// CHECK:         %[[O:.*]] = kernel.alloc : memref<2x2x8xf32>
// CHECK-NEXT:    kernel.launch @matmul_1 ins(%[[HV]], %[[WB]] : memref<2x2x8xbf16>, memref<8x8xbf16>) outs(%[[O]] : memref<2x2x8xf32>)
// CHECK:         kernel.output "result0" %[[O]] : memref<2x2x8xf32>
func.func @views() -> tensor<2x2x8xf32> {
  %x = clip.input "x" : tensor<4x8xf32>
  %w = clip.param "w" : tensor<8x8xf32>
  %h = clip.gemm %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %hv = clip.reshape %h [2, 2, 8] : tensor<4x8xf32> -> tensor<2x2x8xf32>
  %o = clip.matmul %hv, %w : (tensor<2x2x8xf32>, tensor<8x8xf32>) -> tensor<2x2x8xf32>
  return %o : tensor<2x2x8xf32>
}
