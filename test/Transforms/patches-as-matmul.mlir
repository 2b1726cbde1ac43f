// RUN: clip-opt --split-input-file --clip-patches-as-matmul %s | FileCheck %s

// A ViT's patch embedding (stride = kernel = 4, no bias): the image's 4 x 4
// patches as rows of a matmul with the flattened weight, back to NCHW.
// CHECK-LABEL: func.func @vit_patches
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x8x12xf32>, %[[W:.*]]: tensor<5x3x4x4xf32>)
// CHECK-NEXT: %[[R6:.*]] = clip.reshape %[[X]] [2, 3, 2, 4, 3, 4] : tensor<2x3x8x12xf32> -> tensor<2x3x2x4x3x4xf32>
// CHECK-NEXT: %[[T6:.*]] = clip.transpose %[[R6]] [0, 2, 4, 1, 3, 5] : tensor<2x3x2x4x3x4xf32> -> tensor<2x2x3x3x4x4xf32>
// CHECK-NEXT: %[[P:.*]] = clip.reshape %[[T6]] [12, 48] : tensor<2x2x3x3x4x4xf32> -> tensor<12x48xf32>
// CHECK-NEXT: %[[W2:.*]] = clip.reshape %[[W]] [5, 48] : tensor<5x3x4x4xf32> -> tensor<5x48xf32>
// CHECK-NEXT: %[[Y:.*]] = clip.matmul %[[P]], %[[W2]] transpose_rhs : (tensor<12x48xf32>, tensor<5x48xf32>) -> tensor<12x5xf32>
// CHECK-NEXT: %[[Y4:.*]] = clip.reshape %[[Y]] [2, 2, 3, 5] : tensor<12x5xf32> -> tensor<2x2x3x5xf32>
// CHECK-NEXT: %[[OUT:.*]] = clip.transpose %[[Y4]] [0, 3, 1, 2] : tensor<2x2x3x5xf32> -> tensor<2x5x2x3xf32>
// CHECK-NEXT: return %[[OUT]]
func.func @vit_patches(%x: tensor<2x3x8x12xf32>, %w: tensor<5x3x4x4xf32>) -> tensor<2x5x2x3xf32> {
  %y = clip.conv2d %x, %w stride [4, 4] padding [0, 0] : (tensor<2x3x8x12xf32>, tensor<5x3x4x4xf32>) -> tensor<2x5x2x3xf32>
  return %y : tensor<2x5x2x3xf32>
}

// -----

// With a bias (an add the epilogue pass folds into the GEMM), a non-square
// kernel, in f64.
// CHECK-LABEL: func.func @biased
// CHECK: %[[Y:.*]] = clip.matmul %{{.*}}, %{{.*}} transpose_rhs : (tensor<6x12xf64>, tensor<4x12xf64>) -> tensor<6x4xf64>
// CHECK-NEXT: %[[B:.*]] = clip.add %[[Y]], %arg2 : (tensor<6x4xf64>, tensor<4xf64>) -> tensor<6x4xf64>
// CHECK-NEXT: clip.reshape %[[B]] [1, 3, 2, 4]
// CHECK-NOT: clip.conv2d
func.func @biased(%x: tensor<1x2x6x6xf64>, %w: tensor<4x2x2x3xf64>, %b: tensor<4xf64>) -> tensor<1x4x3x2xf64> {
  %y = clip.conv2d %x, %w bias %b stride [2, 3] padding [0, 0] : (tensor<1x2x6x6xf64>, tensor<4x2x2x3xf64>, tensor<4xf64>) -> tensor<1x4x3x2xf64>
  return %y : tensor<1x4x3x2xf64>
}

// -----

// Not patches: overlapping windows, padding, a 1 x 1 kernel (already a
// product in NCHW), and a side the kernel does not divide all stay
// convolutions.
// CHECK-LABEL: func.func @not_patches
// CHECK-COUNT-4: clip.conv2d
// CHECK-NOT: clip.matmul
func.func @not_patches(%x: tensor<1x2x7x8xf32>, %w3: tensor<3x2x3x3xf32>, %w1: tensor<3x2x1x1xf32>, %w4: tensor<3x2x4x4xf32>) -> (tensor<1x3x3x3xf32>, tensor<1x3x4x4xf32>, tensor<1x3x7x8xf32>, tensor<1x3x1x2xf32>) {
  %a = clip.conv2d %x, %w3 stride [2, 2] padding [0, 0] : (tensor<1x2x7x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  %b = clip.conv2d %x, %w3 stride [2, 2] padding [1, 1] : (tensor<1x2x7x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  %c = clip.conv2d %x, %w1 stride [1, 1] padding [0, 0] : (tensor<1x2x7x8xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x7x8xf32>
  %d = clip.conv2d %x, %w4 stride [4, 4] padding [0, 0] : (tensor<1x2x7x8xf32>, tensor<3x2x4x4xf32>) -> tensor<1x3x1x2xf32>
  return %a, %b, %c, %d : tensor<1x3x3x3xf32>, tensor<1x3x4x4xf32>, tensor<1x3x7x8xf32>, tensor<1x3x1x2xf32>
}

// -----

// One input channel (Fashion-MNIST's tiny ViT: 28 x 28, patches of 7).
// CHECK-LABEL: func.func @one_channel
// CHECK: clip.matmul %{{.*}}, %{{.*}} transpose_rhs : (tensor<48x49xf32>, tensor<8x49xf32>) -> tensor<48x8xf32>
func.func @one_channel(%x: tensor<3x1x28x28xf32>, %w: tensor<8x1x7x7xf32>) -> tensor<3x8x4x4xf32> {
  %y = clip.conv2d %x, %w stride [7, 7] padding [0, 0] : (tensor<3x1x28x28xf32>, tensor<8x1x7x7xf32>) -> tensor<3x8x4x4xf32>
  return %y : tensor<3x8x4x4xf32>
}
