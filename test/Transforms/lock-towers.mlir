// RUN: clip-opt "--clip-lock-towers=lock-image=1 image-unlocked-groups=2 lock-text=1" %s | FileCheck %s
// RUN: clip-opt "--clip-lock-towers=lock-image=1 image-unlocked-groups=2 lock-text=1" --clip-autodiff %s | FileCheck %s --check-prefix=GRAD
// RUN: not clip-opt "--clip-lock-towers=lock-text=1 text-unlocked-groups=4" %s 2>&1 | FileCheck %s --check-prefix=TOO-MANY
// TOO-MANY: error: clip-lock-towers: the text tower has 3 groups (embeddings, 1 resblocks, the projection); 4 cannot stay unlocked
// RUN: not clip-opt "--clip-lock-towers=image-unlocked-groups=1" %s 2>&1 | FileCheck %s --check-prefix=NO-LOCK
// NO-LOCK: error: clip-lock-towers: image-unlocked-groups needs lock-image and a count >= 0
// A locked ResNet keeps its BatchNorm statistics.
// RUN: not clip-opt --clip-train-batch-norm --clip-lock-towers=lock-image=1 %models/clip/rn50.mlir 2>&1 | FileCheck %s --check-prefix=BN
// BN: error: clip-lock-towers: a locked ResNet tower keeps its BatchNorm running statistics; compile without --train-batch-norm
// RUN: not clip-opt "--clip-lock-towers=lock-image=1 image-unlocked-groups=1" %models/clip/rn50.mlir 2>&1 | FileCheck %s --check-prefix=RESNET
// RESNET: error: clip-lock-towers: a ResNet image tower locks whole (as OpenCLIP's): image-unlocked-groups must be 0

// Two resblocks an image tower: groups [conv1, class and positional
// embeddings, ln_pre], [block 0], [block 1, ln_post], [proj]; with two
// unlocked, [block 1, ln_post] and [proj] stay trainable. The text tower is
// locked whole; logit_scale belongs to neither and stays trainable.
// CHECK-LABEL: func.func @forward
// CHECK: clip.param "visual.conv1.weight" frozen
// CHECK: clip.param "visual.positional_embedding" frozen
// CHECK: clip.param "visual.ln_pre.weight" frozen
// CHECK: clip.param "visual.transformer.resblocks.0.ln_1.weight" frozen
// CHECK: clip.param "visual.transformer.resblocks.1.ln_1.weight" :
// CHECK: clip.param "visual.ln_post.weight" :
// CHECK: clip.param "visual.proj" :
// CHECK: clip.param "token_embedding.weight" frozen
// CHECK: clip.param "transformer.resblocks.0.ln_1.weight" frozen
// CHECK: clip.param "text_projection" frozen
// CHECK: clip.param "logit_scale" :
// The training function: gradients for the trainable five alone.
// GRAD-LABEL: func.func @train_step
// GRAD-SAME: {clip.gradient = "visual.transformer.resblocks.1.ln_1.weight"}, {{.*}}{clip.gradient = "visual.ln_post.weight"}, {{.*}}{clip.gradient = "visual.proj"}, {{.*}}{clip.gradient = "logit_scale"})
func.func @forward(%image: tensor<2x4xf32>, %text: tensor<2x4xf32>) -> tensor<f32> {
  %w = clip.param "visual.conv1.weight" : tensor<4xf32>
  %x0 = clip.mul %image, %w : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %pos = clip.param "visual.positional_embedding" : tensor<4xf32>
  %pre = clip.param "visual.ln_pre.weight" : tensor<4xf32>
  %b0 = clip.param "visual.transformer.resblocks.0.ln_1.weight" : tensor<4xf32>
  %b1 = clip.param "visual.transformer.resblocks.1.ln_1.weight" : tensor<4xf32>
  %post = clip.param "visual.ln_post.weight" : tensor<4xf32>
  %x1 = clip.add %x0, %pos : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %x2 = clip.mul %x1, %pre : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %x3 = clip.mul %x2, %b0 : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %x4 = clip.mul %x3, %b1 : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %x5 = clip.mul %x4, %post : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %proj = clip.param "visual.proj" : tensor<4x4xf32>
  %img = clip.matmul %x5, %proj : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %tok = clip.param "token_embedding.weight" : tensor<4xf32>
  %t0 = clip.param "transformer.resblocks.0.ln_1.weight" : tensor<4xf32>
  %y0 = clip.mul %text, %tok : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %y1 = clip.mul %y0, %t0 : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %tp = clip.param "text_projection" : tensor<4x4xf32>
  %txt = clip.matmul %y1, %tp : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %s = clip.param "logit_scale" : tensor<f32>
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %img, %txt, %s epsilon 1.0e-12 : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>) -> (tensor<f32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2xf32>, tensor<2xf32>)
  return %loss : tensor<f32>
}
