// Parameter counts equal OpenCLIP's docs/model_profile.csv (ViT-B-32 151.28M,
// ViT-B-16 149.62M, ViT-L-14 427.62M, RN50 102.01M): trainable elements,
// with BatchNorm running statistics counted as frozen buffers.
// RUN: clip-opt --clip-check-names --clip-param-summary %models/clip/vitb32.mlir -o /dev/null | FileCheck %s --check-prefix=B32
// RUN: clip-opt --clip-check-names --clip-param-summary %models/clip/vitb16.mlir -o /dev/null | FileCheck %s --check-prefix=B16
// RUN: clip-opt --clip-check-names --clip-param-summary %models/clip/vitl14.mlir -o /dev/null | FileCheck %s --check-prefix=L14
// RUN: clip-opt --clip-check-names --clip-param-summary %models/clip/rn50.mlir -o /dev/null | FileCheck %s --check-prefix=RN50
// RUN: clip-opt --clip-check-names --clip-param-summary=list=true %models/clip/vit_tiny.mlir -o /dev/null | FileCheck %s --check-prefix=TINY

// B32: parameters: 302 tensors, 151277313 trainable elements, 0 frozen elements
// B16: parameters: 302 tensors, 149620737 trainable elements, 0 frozen elements
// L14: parameters: 446 tensors, 427616513 trainable elements, 0 frozen elements
// RN50: parameters: 434 tensors, 102007137 trainable elements, 53248 frozen elements

// TINY-DAG: logit_scale tensor<f32>
// TINY-DAG: visual.conv1.weight tensor<128x3x4x4xf32>
// TINY-DAG: visual.positional_embedding tensor<65x128xf32>
// TINY-DAG: token_embedding.weight tensor<49408x128xf32>
// TINY-DAG: transformer.resblocks.3.attn.in_proj_weight tensor<384x128xf32>
// TINY-DAG: text_projection tensor<128x128xf32>
// TINY: parameters: 110 tensors, 7962625 trainable elements
