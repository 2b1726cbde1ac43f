// RUN: clip-opt %s -split-input-file --clip-check-names -verify-diagnostics | FileCheck %s

// Repeated declarations that agree are fine, across functions too; the pass
// changes nothing.
// CHECK-LABEL: func.func @tower
// CHECK-COUNT-2: clip.param "logit_scale" : tensor<f32>
// CHECK: clip.input "image" : tensor<?x3x32x32xf32>
// CHECK-LABEL: func.func @loss
// CHECK: clip.param "logit_scale" : tensor<f32>
func.func @tower() -> (tensor<f32>, tensor<f32>, tensor<?x3x32x32xf32>) {
  %a = clip.param "logit_scale" : tensor<f32>
  %b = clip.param "logit_scale" : tensor<f32>
  %x = clip.input "image" : tensor<?x3x32x32xf32>
  return %a, %b, %x : tensor<f32>, tensor<f32>, tensor<?x3x32x32xf32>
}
func.func @loss() -> tensor<f32> {
  %a = clip.param "logit_scale" : tensor<f32>
  return %a : tensor<f32>
}

// -----

func.func @first() -> tensor<512xf32> {
  // expected-note @+1 {{first declared here}}
  %w = clip.param "ln_final.weight" : tensor<512xf32>
  return %w : tensor<512xf32>
}
func.func @second() -> tensor<768xf32> {
  // expected-error @+1 {{parameter 'ln_final.weight' has a different type here than before: 'tensor<768xf32>' vs 'tensor<512xf32>'}}
  %w = clip.param "ln_final.weight" : tensor<768xf32>
  return %w : tensor<768xf32>
}

// -----

func.func @frozen() -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-note @+1 {{first declared here}}
  %a = clip.param "visual.proj" frozen : tensor<4xf32>
  // expected-error @+1 {{parameter 'visual.proj' is not frozen here but was before}}
  %b = clip.param "visual.proj" : tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @param_and_input() -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-note @+1 {{first declared here}}
  %a = clip.input "x" : tensor<4xf32>
  // expected-error @+1 {{parameter 'x' is declared as parameter here but as input before}}
  %b = clip.param "x" : tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @inputs() -> (tensor<?x77xi64>, tensor<?x76xi64>) {
  // expected-note @+1 {{first declared here}}
  %a = clip.input "text" : tensor<?x77xi64>
  // expected-error @+1 {{input 'text' has a different type here than before: 'tensor<?x76xi64>' vs 'tensor<?x77xi64>'}}
  %b = clip.input "text" : tensor<?x76xi64>
  return %a, %b : tensor<?x77xi64>, tensor<?x76xi64>
}
