// RUN: clip-opt "--clip-insert-dropout=image-rate=0.1 text-rate=0.2" %s | FileCheck %s
// RUN: clip-opt "--clip-insert-dropout=image-rate=0.1" --clip-autodiff %s | FileCheck %s --check-prefix=GRAD
// RUN: not clip-opt "--clip-insert-dropout=text-rate=1.5" %s 2>&1 | FileCheck %s --check-prefix=RATE
// RATE: error: clip-insert-dropout: rates lie in [0, 1), got 1.5

// One block of each tower (prepared: block functions inlined). Dropout goes
// on the attention output after out_proj's bias, on the MLP's GELU and on
// its output after c_proj's bias, each with its own stream, the image
// tower's at its rate and the text tower's at its own; one seed input.
// @encode (an inference function) is left alone.
// CHECK-LABEL: func.func @forward
// CHECK-NEXT:  %[[SEED:.*]] = clip.input "rng_seed" : tensor<i64>
// CHECK:       %[[A:.*]] = clip.add %{{.*}}, %visual.transformer.resblocks.0.attn.out_proj.bias
// CHECK-NEXT:  %[[DA:.*]] = clip.dropout %[[A]], %[[SEED]] rate 1.000000e-01 stream 0
// CHECK-NEXT:  clip.add %{{.*}}, %[[DA]]
// CHECK:       %[[G:.*]] = clip.gelu
// CHECK-NEXT:  clip.dropout %[[G]], %[[SEED]] rate 1.000000e-01 stream 1
// CHECK:       clip.add %{{.*}}, %visual.transformer.resblocks.0.mlp.c_proj.bias
// CHECK-NEXT:  clip.dropout %{{.*}}, %[[SEED]] rate 1.000000e-01 stream 2
// CHECK:       clip.add %{{.*}}, %transformer.resblocks.0.attn.out_proj.bias
// CHECK-NEXT:  clip.dropout %{{.*}}, %[[SEED]] rate 2.000000e-01 stream 3
// CHECK-LABEL: func.func @encode
// CHECK-NOT:   clip.dropout
// The gradient of a dropout is the same dropout (seed, rate, stream) on the
// result's gradient.
// GRAD-LABEL: func.func @train_step
// GRAD-COUNT-6: clip.dropout %{{.*}}, %rng_seed rate 1.000000e-01 stream {{[0-2]}}
// GRAD-NOT:     clip.dropout
func.func @forward(%x: tensor<2x4xf32>, %t: tensor<2x4xf32>) -> tensor<f32> {
  %ob = clip.param "visual.transformer.resblocks.0.attn.out_proj.bias" : tensor<4xf32>
  %fb = clip.param "visual.transformer.resblocks.0.mlp.c_fc.bias" : tensor<4xf32>
  %pb = clip.param "visual.transformer.resblocks.0.mlp.c_proj.bias" : tensor<4xf32>
  %w = clip.param "visual.w" : tensor<4x4xf32>
  %m = clip.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %a = clip.add %m, %ob : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %x1 = clip.add %x, %a : tensor<2x4xf32>
  %h = clip.add %x1, %fb : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %g = clip.gelu %h : tensor<2x4xf32>
  %p = clip.add %g, %pb : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %x2 = clip.add %x1, %p : tensor<2x4xf32>
  %tb = clip.param "transformer.resblocks.0.attn.out_proj.bias" : tensor<4xf32>
  %ta = clip.add %t, %tb : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %t1 = clip.add %t, %ta : tensor<2x4xf32>
  %s = clip.param "logit_scale" : tensor<f32>
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %x2, %t1, %s epsilon 1.0e-12 : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>) -> (tensor<f32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2xf32>, tensor<2xf32>)
  return %loss : tensor<f32>
}
func.func @encode(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %ob = clip.param "visual.transformer.resblocks.0.attn.out_proj.bias" : tensor<4xf32>
  %a = clip.add %x, %ob : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %a : tensor<2x4xf32>
}
