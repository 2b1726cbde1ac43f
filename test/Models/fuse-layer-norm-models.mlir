// After clip-fuse-layer-norm every LayerNorm of the models is one op: for
// ViT-B/16, 26 in the image tower (ln_pre, two per block, ln_post) and 25 in
// the text tower (two per block, ln_final); residual adds join the norms
// that follow them. No rsqrt is left anywhere.
// RUN: clip-opt --clip-prepare=batch-size=2 --clip-fuse-layer-norm %models/clip/vitb16.mlir | FileCheck %s --check-prefix=B16
// RUN: clip-opt --clip-prepare=batch-size=2 --clip-fuse-layer-norm %models/clip/vitb16.mlir | not grep clip.rsqrt
// RUN: clip-opt --clip-prepare=batch-size=1 --clip-fuse-layer-norm %models/clip/vitl14.mlir | FileCheck %s --check-prefix=L14
// RUN: clip-opt --clip-prepare=batch-size=1 --clip-fuse-layer-norm %models/clip/rn50.mlir | FileCheck %s --check-prefix=RN50

// B16-LABEL: func.func @forward
// B16-COUNT-2: clip.layer_norm {{.*}} -> (tensor<2x197x768xf32>
// B16-COUNT-23: clip.add_layer_norm {{.*}} -> (tensor<2x197x768xf32>, tensor<2x197x768xf32>
// B16-NOT: clip.add_layer_norm
// B16: clip.layer_norm {{.*}} -> (tensor<2x768xf32>
// B16: clip.layer_norm {{.*}} -> (tensor<2x77x512xf32>
// B16-COUNT-23: clip.add_layer_norm {{.*}} -> (tensor<2x77x512xf32>, tensor<2x77x512xf32>
// B16-NOT: clip.add_layer_norm
// B16: clip.layer_norm {{.*}} -> (tensor<2x512xf32>
// B16-NOT: layer_norm
// B16-LABEL: func.func @encode_image

// L14-LABEL: func.func @forward
// L14-COUNT-2: clip.layer_norm {{.*}} -> (tensor<1x257x1024xf32>
// L14-COUNT-47: clip.add_layer_norm {{.*}} -> (tensor<1x257x1024xf32>
// L14-NOT: clip.add_layer_norm
// L14: clip.layer_norm {{.*}} -> (tensor<1x1024xf32>
// L14: clip.layer_norm {{.*}} -> (tensor<1x77x768xf32>
// L14-COUNT-23: clip.add_layer_norm {{.*}} -> (tensor<1x77x768xf32>
// L14-NOT: clip.add_layer_norm
// L14: clip.layer_norm {{.*}} -> (tensor<1x768xf32>
// L14-NOT: layer_norm
// L14-LABEL: func.func @encode_image

// RN50 has LayerNorm only in its text tower.
// RN50-LABEL: func.func @forward
// RN50-NOT: layer_norm
// RN50: clip.softmax {{.*}} : tensor<1x32x1x50xf32>
// RN50: clip.layer_norm {{.*}} -> (tensor<1x77x512xf32>
// RN50-COUNT-23: clip.add_layer_norm {{.*}} -> (tensor<1x77x512xf32>
// RN50-NOT: clip.add_layer_norm
// RN50: clip.layer_norm {{.*}} -> (tensor<1x512xf32>
// RN50-NOT: layer_norm
// RN50-LABEL: func.func @encode_image
