// Every model file parses, verifies, specializes and goes through
// clip-prepare into one flat function per entry point, and its structure is
// what the architecture says (counted after inlining).
// RUN: clip-opt --clip-prepare=batch-size=2 %models/clip/vitb16.mlir | FileCheck %s --check-prefix=B16
// RUN: clip-opt --clip-prepare=batch-size=2 %models/clip/rn50.mlir | FileCheck %s --check-prefix=RN50
// RUN: clip-opt --clip-prepare=batch-size=3 %models/clip/vitb32.mlir -o /dev/null
// RUN: clip-opt --clip-prepare=batch-size=1 %models/clip/vitl14.mlir -o /dev/null
// RUN: clip-opt --clip-prepare=batch-size=4 %models/clip/vit_tiny.mlir | FileCheck %s --check-prefix=TINY
// RUN: clip-opt --clip-train-batch-norm --clip-prepare=batch-size=2 %models/clip/rn50.mlir | FileCheck %s --check-prefix=RN50-TRAIN

// B16-LABEL: func.func @forward() -> (tensor<f32>, tensor<2x2xf32>, tensor<2x512xf32>, tensor<2x512xf32>)
// B16: clip.input "image" : tensor<2x3x224x224xf32>
// B16: clip.input "text" : tensor<2x77xi64>
// B16: clip.conv2d {{.*}} stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
// B16: clip.concat {{.*}} axis 1 : (tensor<2x1x768xf32>, tensor<2x196x768xf32>) -> tensor<2x197x768xf32>
// B16-COUNT-12: clip.softmax {{.*}} axis 3 : tensor<2x12x197x197xf32>
// B16: clip.gather {{.*}} axis 0 : (tensor<49408x512xf32>, tensor<2x77xi64>) -> tensor<2x77x512xf32>
// B16-COUNT-12: clip.softmax {{.*}} axis 3 : tensor<2x8x77x77xf32>
// B16: clip.argmax {{.*}} axis 1 : tensor<2x77xi64> -> tensor<2xi64>
// B16: clip.gather {{.*}} axis 1 batch_dims 1 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x512xf32>
// B16: clip.log_softmax {{.*}} axis 1 : tensor<2x2xf32>
// B16: clip.log_softmax {{.*}} axis 0 : tensor<2x2xf32>
// B16-NOT: func.call
// B16-LABEL: func.func @encode_image(%arg0: tensor<2x3x224x224xf32>) -> tensor<2x512xf32>
// B16-LABEL: func.func @encode_text(%arg0: tensor<2x77xi64>) -> tensor<2x512xf32>

// RN50-LABEL: func.func @forward()
// RN50-COUNT-3: clip.conv2d {{.*}} padding [1, 1]
// RN50: clip.avg_pool2d {{.*}} : tensor<2x64x112x112xf32> -> tensor<2x64x56x56xf32>
// RN50: clip.softmax {{.*}} axis 3 : tensor<2x32x1x50xf32>
// RN50: clip.matmul {{.*}} transpose_rhs : (tensor<2x2048xf32>, tensor<1024x2048xf32>) -> tensor<2x1024xf32>
// RN50: clip.gelu {{.*}} approximate quick

// TINY-LABEL: func.func @forward() -> (tensor<f32>, tensor<4x4xf32>, tensor<4x128xf32>, tensor<4x128xf32>)
// TINY-COUNT-4: clip.softmax {{.*}} axis 3 : tensor<4x2x65x65xf32>
// TINY-COUNT-4: clip.softmax {{.*}} axis 3 : tensor<4x2x32x32xf32>

// RN50-TRAIN-NOT: clip.batch_norm {{.*}}epsilon
// RN50-TRAIN-COUNT-55: clip.batch_norm_train
// RN50-TRAIN-NOT: clip.batch_norm {{.*}}epsilon
