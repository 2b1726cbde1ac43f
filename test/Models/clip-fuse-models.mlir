// What `clip-opt --clip-fuse` makes of each model's @forward (batch left
// dynamic): every attention, layer norm and the loss become one op each, no
// softmax or log_softmax is left, linear layers are GEMMs with their
// epilogues, and the remaining elementwise chains are groups. Counts per
// tower, told apart by shape (Inputs/op_counts.py lists op, first operand
// type, count).
//
// RUN: clip-opt --clip-fuse %models/clip/vitb16.mlir -o %t.b16
// RUN: %python %S/Inputs/op_counts.py %t.b16 forward | FileCheck %s --check-prefix=B16
// RUN: not grep -E "softmax|rsqrt|clip.gelu" %t.b16
// RUN: clip-opt --clip-fuse %models/clip/vitb32.mlir -o %t.b32
// RUN: %python %S/Inputs/op_counts.py %t.b32 forward | FileCheck %s --check-prefix=B32
// RUN: not grep softmax %t.b32
// RUN: clip-opt --clip-fuse %models/clip/vitl14.mlir -o %t.l14
// RUN: %python %S/Inputs/op_counts.py %t.l14 forward | FileCheck %s --check-prefix=L14
// RUN: not grep softmax %t.l14
// RUN: clip-opt --clip-fuse %models/clip/rn50.mlir -o %t.rn50
// RUN: %python %S/Inputs/op_counts.py %t.rn50 forward | FileCheck %s --check-prefix=RN50
// RUN: not grep softmax %t.rn50

// ViT-B/16 has 12 + 12 attention; 26 vision layer norms (ln_pre, the first
// ln_1, 23 with the residual add before them, ln_post) and 25 text ones (the
// first ln_1, 23 with residual, ln_final); per block 4 GEMMs (qkv, out_proj,
// c_fc with GELU, c_proj; the last c_proj takes the residual add).
// B16:      {{^}}clip.add_layer_norm tensor<?x197x768xf32> 23{{$}}
// B16-NEXT: {{^}}clip.add_layer_norm tensor<?x77x512xf32> 23{{$}}
// B16-NEXT: {{^}}clip.argmax
// B16-NEXT: {{^}}clip.attention causal tensor<?x8x77x64xf32> 12{{$}}
// B16-NEXT: {{^}}clip.attention tensor<?x12x197x64xf32> 12{{$}}
// B16:      {{^}}clip.contrastive_loss tensor<?x512xf32> 1{{$}}
// B16-NEXT: {{^}}clip.conv2d
// B16-NEXT: {{^}}clip.elementwise tensor<?x1xf32> 2{{$}}
// B16-NEXT: {{^}}clip.elementwise tensor<f32> 1{{$}}
// B16:      {{^}}clip.gemm tensor<?x197x3072xf32> 12{{$}}
// B16-NEXT: {{^}}clip.gemm tensor<?x197x768xf32> 36{{$}}
// B16-NEXT: {{^}}clip.gemm tensor<?x77x2048xf32> 12{{$}}
// B16-NEXT: {{^}}clip.gemm tensor<?x77x512xf32> 36{{$}}
// B16-NEXT: {{^}}clip.layer_norm tensor<?x197x768xf32> 2{{$}}
// B16-NEXT: {{^}}clip.layer_norm tensor<?x512xf32> 1{{$}}
// B16-NEXT: {{^}}clip.layer_norm tensor<?x768xf32> 1{{$}}
// B16-NEXT: {{^}}clip.layer_norm tensor<?x77x512xf32> 1{{$}}
// B16-NEXT: {{^}}clip.matmul tensor<?x512xf32> 2{{$}}
// B16-NEXT: {{^}}clip.matmul tensor<?x768xf32> 1{{$}}
// B16-NOT:  {{^}}clip.{{(attention|.*layer_norm|contrastive_loss|gemm|softmax|log_softmax|gelu)}}

// B32:      {{^}}clip.add_layer_norm tensor<?x50x768xf32> 23{{$}}
// B32-NEXT: {{^}}clip.add_layer_norm tensor<?x77x512xf32> 23{{$}}
// B32:      {{^}}clip.attention causal tensor<?x8x77x64xf32> 12{{$}}
// B32-NEXT: {{^}}clip.attention tensor<?x12x50x64xf32> 12{{$}}
// B32:      {{^}}clip.contrastive_loss tensor<?x512xf32> 1{{$}}
// B32:      {{^}}clip.layer_norm tensor<?x50x768xf32> 2{{$}}
// B32-NEXT: {{^}}clip.layer_norm tensor<?x512xf32> 1{{$}}
// B32-NEXT: {{^}}clip.layer_norm tensor<?x768xf32> 1{{$}}
// B32-NEXT: {{^}}clip.layer_norm tensor<?x77x512xf32> 1{{$}}

// ViT-L/14 has 24 vision layers (50 layer norms), 12 text layers (25).
// L14:      {{^}}clip.add_layer_norm tensor<?x257x1024xf32> 47{{$}}
// L14-NEXT: {{^}}clip.add_layer_norm tensor<?x77x768xf32> 23{{$}}
// L14:      {{^}}clip.attention causal tensor<?x12x77x64xf32> 12{{$}}
// L14-NEXT: {{^}}clip.attention tensor<?x16x257x64xf32> 24{{$}}
// L14:      {{^}}clip.contrastive_loss tensor<?x768xf32> 1{{$}}
// L14:      {{^}}clip.gemm tensor<?x257x1024xf32> 72{{$}}
// L14-NEXT: {{^}}clip.gemm tensor<?x257x4096xf32> 24{{$}}
// L14:      {{^}}clip.layer_norm tensor<?x1024xf32> 1{{$}}
// L14-NEXT: {{^}}clip.layer_norm tensor<?x257x1024xf32> 2{{$}}
// L14-NEXT: {{^}}clip.layer_norm tensor<?x768xf32> 1{{$}}
// L14-NEXT: {{^}}clip.layer_norm tensor<?x77x768xf32> 1{{$}}

// In RN50, AttentionPool2d is one attention (one query over 50 tokens, 32
// heads) with GEMMs for q, k, v and c_proj; each bottleneck's residual add
// and ReLU form one elementwise group (16 blocks); the text tower is 12
// causal attention and 25 layer norms.
// RN50:      {{^}}clip.add_layer_norm tensor<?x77x512xf32> 23{{$}}
// RN50:      {{^}}clip.attention causal tensor<?x8x77x64xf32> 12{{$}}
// RN50-NEXT: {{^}}clip.attention tensor<?x32x1x64xf32> 1{{$}}
// RN50:      {{^}}clip.contrastive_loss tensor<?x1024xf32> 1{{$}}
// RN50:      {{^}}clip.elementwise tensor<?x1024x14x14xf32> 6{{$}}
// RN50-NEXT: {{^}}clip.elementwise tensor<?x1xf32> 2{{$}}
// RN50-NEXT: {{^}}clip.elementwise tensor<?x2048x7x7xf32> 3{{$}}
// RN50-NEXT: {{^}}clip.elementwise tensor<?x256x56x56xf32> 3{{$}}
// RN50-NEXT: {{^}}clip.elementwise tensor<?x512x28x28xf32> 4{{$}}
// RN50-NEXT: {{^}}clip.elementwise tensor<f32> 1{{$}}
// RN50:      {{^}}clip.gemm tensor<?x1x2048xf32> 1{{$}}
// RN50-NEXT: {{^}}clip.gemm tensor<?x2048xf32> 1{{$}}
// RN50-NEXT: {{^}}clip.gemm tensor<?x50x2048xf32> 2{{$}}
// RN50-NEXT: {{^}}clip.gemm tensor<?x77x2048xf32> 12{{$}}
// RN50-NEXT: {{^}}clip.gemm tensor<?x77x512xf32> 36{{$}}
// RN50-NEXT: {{^}}clip.layer_norm tensor<?x512xf32> 1{{$}}
// RN50-NEXT: {{^}}clip.layer_norm tensor<?x77x512xf32> 1{{$}}
