// RUN: clip-opt --split-input-file --verify-diagnostics --convert-clip-to-kernel %s | FileCheck %s

// Parameters, inputs and constants become named buffers; a reshape and a
// slice of a contiguous run become views; every other op becomes a launch
// that writes fresh arena buffers; results become named outputs.
// CHECK-LABEL: func.func @step() {
// CHECK-DAG:     %[[ONE:.*]] = kernel.constant dense<2.000000e+00> : tensor<f32> : memref<f32>
// CHECK-DAG:     %[[X:.*]] = kernel.input "x" : memref<2x8xf32>
// CHECK-DAG:     %[[W:.*]] = kernel.param "w" : memref<4x8xf32>
// CHECK:         %[[Y:.*]] = kernel.alloc : memref<2x4xf32>
// CHECK:         kernel.launch @gemm_0 ins(%[[X]], %[[W]] : memref<2x8xf32>, memref<4x8xf32>) outs(%[[Y]] : memref<2x4xf32>) {
// CHECK-NEXT:    ^bb0(%[[A:.*]]: tensor<2x8xf32>, %[[B:.*]]: tensor<4x8xf32>):
// CHECK-NEXT:      %[[G:.*]] = clip.gemm %[[A]], %[[B]] transpose_rhs
// CHECK-NEXT:      kernel.yield %[[G]] : tensor<2x4xf32>
// CHECK:         %[[V:.*]] = kernel.view %[[Y]][0] : memref<2x4xf32> -> memref<1x8xf32>
// CHECK:         %[[S:.*]] = kernel.view %[[V]][4] : memref<1x8xf32> -> memref<1x2xf32>
// CHECK:         %[[M:.*]] = kernel.alloc : memref<1x2xf32>
// CHECK:         kernel.launch @mul_1 ins(%[[S]], %[[ONE]] : memref<1x2xf32>, memref<f32>) outs(%[[M]] : memref<1x2xf32>)
// CHECK:         %[[T:.*]] = kernel.alloc : memref<2x1xf32>
// CHECK:         kernel.launch @transpose_2 ins(%[[M]] : memref<1x2xf32>) outs(%[[T]] : memref<2x1xf32>)
// CHECK:         kernel.output "result0" %[[T]] : memref<2x1xf32>
// CHECK:         kernel.output "grad/w" %[[Y]] : memref<2x4xf32>
// CHECK-NEXT:    return
func.func @step() -> (tensor<2x1xf32>, tensor<2x4xf32> {clip.gradient = "w"}) {
  %x = clip.input "x" : tensor<2x8xf32>
  %w = clip.param "w" : tensor<4x8xf32>
  %two = clip.constant dense<2.0> : tensor<f32>
  %y = clip.gemm %x, %w transpose_rhs : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  %r = clip.reshape %y [1, 8] : tensor<2x4xf32> -> tensor<1x8xf32>
  %s = clip.slice %r axis 1 from 4 to 6 : tensor<1x8xf32> -> tensor<1x2xf32>
  %m = clip.mul %s, %two : (tensor<1x2xf32>, tensor<f32>) -> tensor<1x2xf32>
  %t = clip.transpose %m [1, 0] : tensor<1x2xf32> -> tensor<2x1xf32>
  return %t, %y : tensor<2x1xf32>, tensor<2x4xf32>
}

// -----

// A slice that is not one contiguous run (rows of a 2-D tensor) is a copy;
// an operand read twice is one input buffer; arguments are inputs argN.
// CHECK-LABEL: func.func @strided() {
// CHECK:         %[[X:.*]] = kernel.input "arg0" : memref<4x6xf32>
// CHECK:         kernel.launch @slice_0 ins(%[[X]] : memref<4x6xf32>) outs(%{{.*}} : memref<4x3xf32>)
// CHECK:         kernel.launch @mul_1 ins(%[[S:.*]] : memref<4x3xf32>) outs(%{{.*}} : memref<4x3xf32>) {
// CHECK-NEXT:    ^bb0(%[[A:.*]]: tensor<4x3xf32>):
// CHECK-NEXT:      clip.mul %[[A]], %[[A]]
// CHECK:         kernel.output "result0"
func.func @strided(%x: tensor<4x6xf32>) -> tensor<4x3xf32> {
  %s = clip.slice %x axis 1 from 0 to 3 : tensor<4x6xf32> -> tensor<4x3xf32>
  %m = clip.mul %s, %s : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %m : tensor<4x3xf32>
}

// -----

func.func @dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @-1 {{argument #0 has type 'tensor<?x8xf32>'; kernels need static shapes (run clip-prepare first)}}
  return %x : tensor<?x8xf32>
}
