// RUN: clip-opt --split-input-file --verify-diagnostics --clip-autodiff --canonicalize --cse %s | FileCheck %s

// A linear layer, GELU and a mean: the backward pass reuses the forward
// values (the GELU input, the layer input), sums the bias gradient over the
// batch, and builds nothing for the input or the frozen scale.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: -> (tensor<f32>, tensor<3x4xf32> {clip.gradient = "w"}, tensor<3xf32> {clip.gradient = "b"})
// CHECK-DAG:  %[[SEED:.*]] = clip.constant dense<0.166666672> : tensor<2x3xf32>
// CHECK-DAG:  %[[X:.*]] = clip.input "x"
// CHECK:      %[[MM:.*]] = clip.matmul %[[X]], %[[W:.*]] transpose_rhs
// CHECK-NEXT: %[[Y:.*]] = clip.add %[[MM]], %[[B:.*]] :
// CHECK-NEXT: %[[Z:.*]] = clip.mul %[[Y]], %[[S:.*]] :
// CHECK-NEXT: %[[G:.*]] = clip.gelu %[[Z]]
// CHECK-NEXT: %[[LOSS:.*]] = clip.reduce_mean %[[G]]
// CHECK-NEXT: %[[DZ:.*]] = clip.gelu_grad %[[Z]], %[[SEED]]
// CHECK-NEXT: %[[DY:.*]] = clip.mul %[[DZ]], %[[S]]
// CHECK-NEXT: %[[DB1:.*]] = clip.reduce_sum %[[DY]] axes [0] keepdims
// CHECK-NEXT: %[[DB:.*]] = clip.reshape %[[DB1]] [3]
// CHECK-NEXT: %[[DW:.*]] = clip.matmul %[[DY]], %[[X]] transpose_lhs
// CHECK-NEXT: return %[[LOSS]], %[[DW]], %[[DB]]
func.func @forward() -> (tensor<f32>, tensor<2x3xf32>) {
  %x = clip.input "x" : tensor<2x4xf32>
  %w = clip.param "w" : tensor<3x4xf32>
  %b = clip.param "b" : tensor<3xf32>
  %s = clip.param "scale" frozen : tensor<3xf32>
  %mm = clip.matmul %x, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %y = clip.add %mm, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %z = clip.mul %y, %s : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %g = clip.gelu %z : tensor<2x3xf32>
  %l = clip.reduce_mean %g axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %l, %y : tensor<f32>, tensor<2x3xf32>
}

// -----

// Two declarations of one parameter share a gradient (summed once); a
// parameter that does not reach the loss gets zeros.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: -> (tensor<f32>, tensor<3xf32> {clip.gradient = "v"}, tensor<2xf32> {clip.gradient = "unused"})
// CHECK-DAG:  %[[ZERO:.*]] = clip.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK-DAG:  %[[V:.*]] = clip.param "v"
// CHECK:      %[[TWICE:.*]] = clip.add %[[V]], %[[V]]
// CHECK:      return %{{.*}}, %[[TWICE]], %[[ZERO]]
func.func @forward() -> tensor<f32> {
  %v1 = clip.param "v" : tensor<3xf32>
  %v2 = clip.param "v" : tensor<3xf32>
  %u = clip.param "unused" : tensor<2xf32>
  %p = clip.mul %v1, %v2 : tensor<3xf32>
  %l = clip.reduce_sum %p axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{the loss (first result) must be a float scalar, got 'tensor<3xf32>'}}
func.func @forward() -> tensor<3xf32> {
  %v = clip.param "v" : tensor<3xf32>
  return %v : tensor<3xf32>
}

// -----

func.func private @helper(%x: tensor<3xf32>) -> tensor<f32> {
  %l = clip.reduce_sum %x axes [0] : tensor<3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
func.func @forward() -> tensor<f32> {
  %v = clip.param "v" : tensor<3xf32>
  // expected-error @+1 {{calls must be inlined before clip-autodiff (run --clip-prepare or --clip-fuse first)}}
  %l = func.call @helper(%v) : (tensor<3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{clip-autodiff: no function @forward}}
module {
  func.func @other() {
    return
  }
}

// -----

// Training-mode BatchNorm: the step also returns the updated running
// statistics, by the name of the parameter each replaces; they take no
// gradient.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: -> (tensor<f32>, tensor<2xf32> {clip.gradient = "bn.weight"}, tensor<2xf32> {clip.gradient = "bn.bias"}, tensor<2xf32> {clip.running_update = "bn.running_mean"}, tensor<2xf32> {clip.running_update = "bn.running_var"})
// CHECK: %{{.*}}, %[[M:.*]], %[[V:.*]] = clip.batch_norm_train
// CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %[[M]], %[[V]]
func.func @forward() -> tensor<f32> {
  %x = clip.input "x" : tensor<3x2x2x2xf32>
  %g = clip.param "bn.weight" : tensor<2xf32>
  %b = clip.param "bn.bias" : tensor<2xf32>
  %m = clip.param "bn.running_mean" frozen : tensor<2xf32>
  %v = clip.param "bn.running_var" frozen : tensor<2xf32>
  %y, %m1, %v1 = clip.batch_norm_train %x, %g, %b, %m, %v epsilon 1.0e-05 momentum 1.0e-01 : (tensor<3x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<3x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>)
  %sq = clip.mul %y, %y : tensor<3x2x2x2xf32>
  %l = clip.reduce_mean %sq axes [0, 1, 2, 3] : tensor<3x2x2x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}
