// RUN: clip-opt %s | clip-opt | FileCheck %s
// RUN: clip-opt %s --mlir-print-op-generic | clip-opt | FileCheck %s

// Round trip of the ops that gradient rules build.

// CHECK-LABEL: func.func @gradient_ops
// CHECK-NEXT: clip.gelu_grad %arg0, %arg1 approximate quick : tensor<2x8xf32>
// CHECK-NEXT: clip.gelu_grad %arg0, %arg1 : tensor<2x8xf32>
// CHECK-NEXT: clip.slice_grad %arg2 axis 1 from 1 to 6 step 2 : tensor<2x3xf32> -> tensor<2x7xf32>
// CHECK-NEXT: clip.gather_grad %arg3, %arg4 axis 0 : (tensor<2x77x8xf32>, tensor<2x77xi64>) -> tensor<100x8xf32>
// CHECK-NEXT: clip.gather_grad %arg1, %arg5 axis 1 batch_dims 1 : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x5x8xf32>
func.func @gradient_ops(%x: tensor<2x8xf32>, %dy: tensor<2x8xf32>, %ds: tensor<2x3xf32>,
                        %dg: tensor<2x77x8xf32>, %ids: tensor<2x77xi64>, %eos: tensor<2xi64>) {
  %0 = clip.gelu_grad %x, %dy approximate quick : tensor<2x8xf32>
  %1 = clip.gelu_grad %x, %dy : tensor<2x8xf32>
  %2 = clip.slice_grad %ds axis 1 from 1 to 6 step 2 : tensor<2x3xf32> -> tensor<2x7xf32>
  %3 = clip.gather_grad %dg, %ids axis 0 : (tensor<2x77x8xf32>, tensor<2x77xi64>) -> tensor<100x8xf32>
  %4 = clip.gather_grad %dy, %eos axis 1 batch_dims 1 : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x5x8xf32>
  return
}

// CHECK-LABEL: func.func @sigmoid_loss_grad
// CHECK-NEXT: %image_grad, %text_grad, %logit_scale_grad, %logit_bias_grad = clip.sigmoid_loss_grad %arg0, %arg1, %arg1, %arg2, %arg2, %arg3, %arg3 epsilon 9.9999999999999998E-13 : (tensor<f32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>)
func.func @sigmoid_loss_grad(%g: tensor<f32>, %x: tensor<4x8xf32>, %s: tensor<f32>, %n: tensor<4x1xf32>) {
  %di, %dt, %ds, %db = clip.sigmoid_loss_grad %g, %x, %x, %s, %s, %n, %n epsilon 1.0e-12 : (tensor<f32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>)
  return
}
