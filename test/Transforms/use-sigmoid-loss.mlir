// RUN: clip-opt --split-input-file --verify-diagnostics --clip-use-sigmoid-loss %s | FileCheck %s

// A model written with the CLIP loss, trained with SigLIP's: the fused loss
// becomes clip.sigmoid_loss on the same embeddings, scale and epsilon, with
// a new parameter `logit_bias` right after `logit_scale`.
// CHECK-LABEL: func.func @forward
// CHECK:      %[[S:.*]] = clip.param "logit_scale" : tensor<f32>
// CHECK-NEXT: %[[B:.*]] = clip.param "logit_bias" : tensor<f32>
// CHECK:      %[[L:.*]], %{{.*}}, %{{.*}} = clip.sigmoid_loss %[[I:.*]], %[[T:.*]], %[[S]], %[[B]] epsilon 9.9999999999999998E-13
// CHECK-NOT:  clip.contrastive_loss
// CHECK:      return %[[L]]
func.func @forward(%i: tensor<4x8xf32>, %t: tensor<4x8xf32>) -> tensor<f32> {
  %s = clip.param "logit_scale" : tensor<f32>
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %i, %t, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
  return %loss : tensor<f32>
}

// -----

// Nothing to replace: the loss was not fused (or there is none).
// expected-error @+1 {{--loss siglip: the model has no clip.contrastive_loss to replace}}
module {
  func.func @forward(%x: tensor<2x4xf32>) -> tensor<f32> {
    %l = clip.reduce_mean %x axes [0, 1] : tensor<2x4xf32> -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// A bias exists already.
// expected-error @+1 {{--loss siglip: the model already has a `logit_bias` parameter}}
module {
  func.func @forward(%i: tensor<4x8xf32>) -> tensor<f32> {
    %s = clip.param "logit_scale" : tensor<f32>
    %b = clip.param "logit_bias" : tensor<f32>
    %loss, %in, %tn, %il, %tl = clip.contrastive_loss %i, %i, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
    %r = clip.add %loss, %b : tensor<f32>
    return %r : tensor<f32>
  }
}

// -----

// The log-sum-exps read elsewhere: the sigmoid loss has none to give.
module {
  func.func @forward(%i: tensor<4x8xf32>) -> tensor<4xf32> {
    %s = clip.param "logit_scale" : tensor<f32>
    // expected-error @+1 {{--loss siglip: the contrastive loss's result 3 (norms or log-sum-exps) has users besides the loss}}
    %loss, %in, %tn, %il, %tl = clip.contrastive_loss %i, %i, %s epsilon 1.0e-12 : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>) -> (tensor<f32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>)
    return %il : tensor<4xf32>
  }
}
