// `clip-opt --clip-fuse --clip-autodiff` on the models: a verified training
// function with one gradient per trainable parameter, whose backward is made
// of the fused backward ops (one per fused forward op) and no softmax.
//
// RUN: clip-opt --clip-fuse --clip-autodiff %models/clip/vitb16.mlir -o %t.b16
// RUN: grep -o "clip.gradient = " %t.b16 | count 302
// RUN: %python %S/Inputs/op_counts.py %t.b16 train_step | FileCheck %s --check-prefix=B16
// RUN: not grep softmax %t.b16
// RUN: clip-opt --clip-prepare=batch-size=2 --clip-train-batch-norm --clip-fuse --clip-autodiff %models/clip/rn50.mlir -o %t.rn50
// RUN: grep -o "clip.gradient = " %t.rn50 | count 324
// RUN: %python %S/Inputs/op_counts.py %t.rn50 train_step | FileCheck %s --check-prefix=RN50
// RUN: clip-opt --clip-prepare=batch-size=2 --clip-fuse --clip-autodiff=report-saved=true %models/clip/vit_tiny.mlir -o /dev/null | FileCheck %s --check-prefix=SAVED2
// RUN: clip-opt --clip-prepare=batch-size=4 --clip-fuse --clip-autodiff=report-saved=true %models/clip/vit_tiny.mlir -o /dev/null | FileCheck %s --check-prefix=SAVED4
// RUN: clip-opt --clip-prepare=batch-size=2 --clip-fuse "--clip-autodiff=report-saved=true remat=attention" %models/clip/vit_tiny.mlir -o /dev/null | FileCheck %s --check-prefix=ATTN
// RUN: clip-opt --clip-prepare=batch-size=2 --clip-fuse "--clip-autodiff=report-saved=true remat=block" %models/clip/vit_tiny.mlir -o /dev/null | FileCheck %s --check-prefix=BLOCK
// RUN: not clip-opt --clip-fuse "--clip-autodiff=remat=everything" %models/clip/vit_tiny.mlir -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD

// What the tiny ViT's step keeps for the backward grows exactly with the
// batch (the loss keeps O(N) statistics, no N x N matrix). The patch
// embedding is a matmul (clip-patches-as-matmul): its weight gradient keeps
// the image's patches (12,288 bytes a sample), and no image gradient is
// computed.
// SAVED2: saved for the backward: 139 tensors, 5282080 bytes at batch 2 (2641040 bytes per sample)
// SAVED4: saved for the backward: 139 tensors, 10564160 bytes at batch 4 (2641040 bytes per sample)

// Recomputing attention, then whole blocks, keeps less (same gradients:
// test/unit/RematTest.cpp).
// ATTN: saved for the backward: 115 tensors, 4481248 bytes at batch 2 (2240624 bytes per sample)
// BLOCK: saved for the backward: 76 tensors, 1572064 bytes at batch 2 (786032 bytes per sample)
// BAD: clip-autodiff: unknown remat policy 'everything' (expected none, attention or block)

// ViT-B/16 has 24 attention_grad (12 causal), 51 layer_norm_grad (26 + 25),
// one conv2d_grad (the patch embedding), two gather_grad (token embedding,
// EOS pooling) and one contrastive_loss_grad.
// B16-DAG: {{^}}clip.attention_grad tensor<?x12x197x64xf32> 12{{$}}
// B16-DAG: {{^}}clip.attention_grad tensor<?x8x77x64xf32> 12{{$}}
// B16-DAG: {{^}}clip.contrastive_loss_grad tensor<f32> 1{{$}}
// B16-DAG: {{^}}clip.conv2d_grad tensor<?x768x14x14xf32> 1{{$}}
// B16-DAG: {{^}}clip.gather_grad tensor<?x512xf32> 1{{$}}
// B16-DAG: {{^}}clip.gather_grad tensor<?x77x512xf32> 1{{$}}
// B16-DAG: {{^}}clip.layer_norm_grad tensor<?x197x768xf32> 25{{$}}
// B16-DAG: {{^}}clip.layer_norm_grad tensor<?x768xf32> 1{{$}}
// B16-DAG: {{^}}clip.layer_norm_grad tensor<?x77x512xf32> 24{{$}}
// B16-DAG: {{^}}clip.layer_norm_grad tensor<?x512xf32> 1{{$}}

// RN50 has a conv2d_grad per convolution (55; the stem's first only for its
// weight), 7 avg_pool2d_grad, the attention pool's attention_grad and 12
// causal ones; BatchNorm in training mode differentiates into primitive ops.
// RN50-DAG: {{^}}clip.attention_grad tensor<2x32x1x64xf32> 1{{$}}
// RN50-DAG: {{^}}clip.attention_grad tensor<2x8x77x64xf32> 12{{$}}
// RN50-DAG: {{^}}clip.conv2d_grad tensor<2x256x14x14xf32> 10{{$}}
// RN50-DAG: {{^}}clip.conv2d_grad tensor<2x64x112x112xf32> 1{{$}}
// RN50-DAG: {{^}}clip.contrastive_loss_grad tensor<f32> 1{{$}}
