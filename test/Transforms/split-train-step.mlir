// RUN: clip-opt --split-input-file --verify-diagnostics --clip-autodiff --canonicalize --cse --clip-split-train-step %s | FileCheck %s

// Two towers and the loss. @train_embed computes what the features depend
// on and returns them; @train_backward starts from their gradients, reads
// the image feature it needs (tanh's derivative) by its output name and
// copies the inputs it reads; logit_scale's gradient is the loss's own, no
// output. @train_step stays as it is.
// CHECK: module attributes {clip.loss_epsilon = 9.9999999999999998E-13 : f64}
// CHECK-LABEL: func.func @train_step()
// CHECK-SAME: {clip.gradient = "logit_scale"}
// CHECK: clip.contrastive_loss_grad

// CHECK-LABEL: func.func @train_embed()
// CHECK-SAME: -> (tensor<4x8xf32> {clip.output = "features/image"}, tensor<4x8xf32> {clip.output = "features/text"})
// CHECK-DAG:  %[[IMAGE:.*]] = clip.input "image"
// CHECK-DAG:  %[[TEXT:.*]] = clip.input "text"
// CHECK-DAG:  %[[WI:.*]] = clip.param "wi"
// CHECK-DAG:  %[[WT:.*]] = clip.param "wt"
// CHECK:      %[[HI:.*]] = clip.matmul %[[IMAGE]], %[[WI]] transpose_rhs
// CHECK-NEXT: %[[FI:.*]] = clip.tanh %[[HI]]
// CHECK-NEXT: %[[FT:.*]] = clip.matmul %[[TEXT]], %[[WT]] transpose_rhs
// CHECK-NEXT: return %[[FI]], %[[FT]]
// CHECK-NOT:  contrastive_loss

// CHECK-LABEL: func.func @train_backward()
// CHECK-SAME: -> (tensor<8x6xf32> {clip.gradient = "wi"}, tensor<8x5xf32> {clip.gradient = "wt"})
// CHECK-DAG:  %[[DI:.*]] = clip.input "grad/features/image" : tensor<4x8xf32>
// CHECK-DAG:  %[[DT:.*]] = clip.input "grad/features/text" : tensor<4x8xf32>
// CHECK-DAG:  %[[TEXT2:.*]] = clip.input "text"
// CHECK-DAG:  %[[FI2:.*]] = clip.input "features/image" : tensor<4x8xf32>
// CHECK-DAG:  %[[DWT:.*]] = clip.matmul %[[DT]], %[[TEXT2]] transpose_lhs
// CHECK-DAG:  %[[SQ:.*]] = clip.mul %[[FI2]], %[[FI2]]
// CHECK:      %[[DH:.*]] = clip.mul %[[DI]], %{{.*}}
// CHECK-NEXT: %[[IMAGE2:.*]] = clip.input "image"
// CHECK:      %[[DWI:.*]] = clip.matmul %[[DH]], %[[IMAGE2]] transpose_lhs
// CHECK-NEXT: return %[[DWI]], %[[DWT]]
// CHECK-NOT:  contrastive_loss
// CHECK-NOT:  logit_scale
func.func @forward() -> (tensor<f32>) {
  %image = clip.input "image" : tensor<4x6xf32>
  %text = clip.input "text" : tensor<4x5xf32>
  %wi = clip.param "wi" : tensor<8x6xf32>
  %wt = clip.param "wt" : tensor<8x5xf32>
  %s = clip.param "logit_scale" : tensor<f32>
  %hi = clip.matmul %image, %wi transpose_rhs : (tensor<4x6xf32>, tensor<8x6xf32>) -> tensor<4x8xf32>
  %fi = clip.tanh %hi : tensor<4x8xf32>
  %ft = clip.matmul %text, %wt transpose_rhs : (tensor<4x5xf32>, tensor<8x5xf32>) -> tensor<4x8xf32>
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %fi, %ft, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return %loss : tensor<f32>
}

// -----

// A tower with batch statistics: each process would normalize its own
// share of the batch, so the split is refused.
func.func @forward() -> (tensor<f32>) {
  %image = clip.input "image" : tensor<4x3x2x2xf32>
  %text = clip.input "text" : tensor<4x12xf32>
  %g = clip.param "g" : tensor<3xf32>
  %b = clip.param "b" : tensor<3xf32>
  %m = clip.param "m" frozen : tensor<3xf32>
  %v = clip.param "v" frozen : tensor<3xf32>
  %s = clip.param "logit_scale" : tensor<f32>
  // expected-error @+1 {{BatchNorm with batch statistics would normalize each process's batch}}
  %y, %nm, %nv = clip.batch_norm_train %image, %g, %b, %m, %v epsilon 1.0e-5 momentum 1.0e-1 : (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
  %fi = clip.reshape %y [4, 12] : tensor<4x3x2x2xf32> -> tensor<4x12xf32>
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %fi, %text, %s epsilon 1.0e-12 : (tensor<4x12xf32>, tensor<4x12xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return %loss : tensor<f32>
}

// -----

// A loss the runtime cannot take between the halves: nothing to split at.
// expected-error @+1 {{must have one loss (clip.contrastive_loss or clip.sigmoid_loss) and its gradient to split at (found 0 and 0)}}
func.func @forward() -> (tensor<f32>) {
  %x = clip.input "x" : tensor<2x4xf32>
  %w = clip.param "w" : tensor<3x4xf32>
  %mm = clip.matmul %x, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %l = clip.reduce_mean %mm axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// SigLIP's loss: the bias's gradient is the loss's own too, an input of
// @train_backward beside the scale's, and neither is an output.
// CHECK-LABEL: func.func @forward()
// CHECK-LABEL: func.func @train_step()
// CHECK: clip.sigmoid_loss_grad
// CHECK-LABEL: func.func @train_embed()
// CHECK-SAME: -> (tensor<4x8xf32> {clip.output = "features/image"}, tensor<4x8xf32> {clip.output = "features/text"})
// CHECK-NOT:  sigmoid_loss
// CHECK-LABEL: func.func @train_backward()
// CHECK-SAME: -> (tensor<8x6xf32> {clip.gradient = "wi"}, tensor<8x5xf32> {clip.gradient = "wt"})
// CHECK-NOT:  sigmoid_loss
// CHECK-NOT:  logit_
func.func @forward() -> (tensor<f32>) {
  %image = clip.input "image" : tensor<4x6xf32>
  %text = clip.input "text" : tensor<4x5xf32>
  %wi = clip.param "wi" : tensor<8x6xf32>
  %wt = clip.param "wt" : tensor<8x5xf32>
  %s = clip.param "logit_scale" : tensor<f32>
  %b = clip.param "logit_bias" : tensor<f32>
  %fi = clip.matmul %image, %wi transpose_rhs : (tensor<4x6xf32>, tensor<8x6xf32>) -> tensor<4x8xf32>
  %ft = clip.matmul %text, %wt transpose_rhs : (tensor<4x5xf32>, tensor<8x5xf32>) -> tensor<4x8xf32>
  %loss, %in, %tn = clip.sigmoid_loss %fi, %ft, %s, %b epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>)
  return %loss : tensor<f32>
}
