// The hand-written pre-LN block parses, verifies and round-trips; batch
// specialization reaches every op through the calls; inlining leaves one
// self-contained function.
//
// RUN: clip-opt %models/clip/transformer_block.mlir | FileCheck %s --check-prefix=PARSED
// RUN: clip-opt %models/clip/transformer_block.mlir | clip-opt | FileCheck %s --check-prefix=PARSED
// RUN: clip-opt %models/clip/transformer_block.mlir --clip-specialize-batch=batch-size=8 | FileCheck %s --check-prefix=SPEC
// RUN: clip-opt %models/clip/transformer_block.mlir --clip-prepare=batch-size=8 | FileCheck %s --check-prefix=FLAT
// RUN: clip-opt %models/clip/transformer_block.mlir --clip-specialize-batch=batch-size=8 | FileCheck %s --check-prefix=NODYN --implicit-check-not='?x'

// PARSED-LABEL: func.func private @layer_norm
// PARSED-SAME: (%{{.*}}: tensor<?x77x512xf32>, %{{.*}}: tensor<512xf32>, %{{.*}}: tensor<512xf32>) -> tensor<?x77x512xf32>
// PARSED: clip.reduce_mean %{{.*}} axes [2] keepdims : tensor<?x77x512xf32> -> tensor<?x77x1xf32>
// PARSED: clip.rsqrt
// PARSED-LABEL: func.func private @attention
// PARSED: clip.reshape %{{.*}} [-1, 77, 3, 8, 64] : tensor<?x77x1536xf32> -> tensor<?x77x3x8x64xf32>
// PARSED: clip.transpose %{{.*}} [2, 0, 3, 1, 4] : tensor<?x77x3x8x64xf32> -> tensor<3x?x8x77x64xf32>
// PARSED: clip.causal_mask : tensor<77x77xf32>
// PARSED: clip.softmax %{{.*}} axis 3 : tensor<?x8x77x77xf32>
// PARSED-LABEL: func.func private @mlp
// PARSED: clip.gelu %{{.*}} : tensor<?x77x2048xf32>
// PARSED-LABEL: func.func @residual_block
// PARSED-COUNT-12: clip.param "transformer.resblocks.0.
// PARSED: call @layer_norm
// PARSED: call @attention
// PARSED: call @layer_norm
// PARSED: call @mlp

// Every `?` is the batch, except where a reshape folds it into another dim.
// SPEC-LABEL: func.func private @layer_norm
// SPEC-SAME: tensor<8x77x512xf32>
// SPEC-LABEL: func.func private @attention
// SPEC: clip.reshape %{{.*}} [-1, 77, 3, 8, 64] : tensor<8x77x1536xf32> -> tensor<8x77x3x8x64xf32>
// SPEC: clip.transpose {{.*}} -> tensor<3x8x8x77x64xf32>
// SPEC: clip.matmul {{.*}} -> tensor<8x8x77x77xf32>
// SPEC-LABEL: func.func @residual_block(%{{.*}}: tensor<8x77x512xf32>) -> tensor<8x77x512xf32>
// SPEC: call @attention({{.*}}) : ({{.*}}) -> tensor<8x77x512xf32>

// NODYN-LABEL: func.func @residual_block

// FLAT-NOT: func.func private
// FLAT-LABEL: func.func @residual_block(%{{.*}}: tensor<8x77x512xf32>) -> tensor<8x77x512xf32>
// FLAT-NOT: call
// FLAT: clip.rsqrt
// FLAT: clip.softmax
// FLAT: clip.rsqrt
// FLAT: clip.gelu
// FLAT: return %{{.*}} : tensor<8x77x512xf32>
