// RUN: clip-opt --convert-clip-to-kernel --kernel-mixed-precision=precision=bf16 --kernel-plan-memory=alignment=64 %s \
// RUN:   | clip-translate --kernel-to-cuda | FileCheck %s

// The contrastive loss on bf16 embeddings (GEMM results in bf16 storage)
// runs runtime/cuda/TiledContrastiveLoss.cuh: the unit vectors go to a
// device scratch past the function's arena (two 256-aligned arrays of
// 100 x 32 bf16), 2 x ceil(100 / 64) = 4 tile units of kFlashThreads, the
// 100 x 100 logits never stored. The backward adds two f32 scratch arrays
// for the gradient sums and one of doubles for the scale's row partials,
// and keeps the loss's gradients in f32 (the precision policy).
// CHECK-LABEL: extern "C" __global__ void contrastive_loss_2_units(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::contrastiveLossUnits(100, 32, reinterpret_cast<clip::bf16*>(A + {{[0-9]+}}), reinterpret_cast<clip::bf16*>(A + {{[0-9]+}}), 1e-12f, reinterpret_cast<float*>(A + {{[0-9]+}}), reinterpret_cast<float*>(A + {{[0-9]+}}), reinterpret_cast<clip::bf16*>((A + [[BASE:[0-9]+]]) + 0), reinterpret_cast<clip::bf16*>((A + [[BASE]]) + 6400));
// CHECK-LABEL: extern "C" __global__ void contrastive_loss_2_lse(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::contrastiveLossTileLse(100, 32, reinterpret_cast<clip::bf16*>((A + [[BASE]]) + 0), reinterpret_cast<clip::bf16*>((A + [[BASE]]) + 6400),
// CHECK-LABEL: extern "C" __global__ void contrastive_loss_2_total(
// CHECK:         clip::cuda::contrastiveLossTileTotal(100, 32,
// CHECK-LABEL: extern "C" __global__ void contrastive_loss_grad_3_units(
// CHECK:         clip::cuda::contrastiveLossGradUnits(100, 32,
// CHECK-LABEL: extern "C" __global__ void contrastive_loss_grad_3_tiles(
// CHECK:         clip::cuda::contrastiveLossTileGrad(100, 32, {{.*}}, reinterpret_cast<float*>((A + [[GBASE:[0-9]+]]) + 12800), reinterpret_cast<float*>((A + [[GBASE]]) + 25600), reinterpret_cast<double*>((A + [[GBASE]]) + 38400));
// CHECK-LABEL: extern "C" __global__ void contrastive_loss_grad_3_finish(
// CHECK:         clip::cuda::contrastiveLossGradFinish<float>(100, 32,
// CHECK-NOT:   widenBf16
func.func @loss() -> (tensor<f32>, tensor<100x32xf32>) {
  %x = clip.input "x" : tensor<100x8xf32>
  %y = clip.input "y" : tensor<100x8xf32>
  %wi = clip.param "wi" : tensor<32x8xf32>
  %wt = clip.param "wt" : tensor<32x8xf32>
  %s = clip.param "logit_scale" : tensor<f32>
  %image = clip.gemm %x, %wi transpose_rhs : (tensor<100x8xf32>, tensor<32x8xf32>) -> tensor<100x32xf32>
  %text = clip.gemm %y, %wt transpose_rhs : (tensor<100x8xf32>, tensor<32x8xf32>) -> tensor<100x32xf32>
  %loss, %in, %tn, %il, %tl = clip.contrastive_loss %image, %text, %s epsilon 1.0e-12 : (tensor<100x32xf32>, tensor<100x32xf32>, tensor<f32>) -> (tensor<f32>, tensor<100x1xf32>, tensor<100x1xf32>, tensor<100xf32>, tensor<100xf32>)
  %one = clip.constant dense<1.0> : tensor<f32>
  %di, %dt, %ds = clip.contrastive_loss_grad %one, %image, %text, %s, %in, %tn, %il, %tl epsilon 1.0e-12 : (tensor<f32>, tensor<100x32xf32>, tensor<100x32xf32>, tensor<f32>, tensor<100x1xf32>, tensor<100x1xf32>, tensor<100xf32>, tensor<100xf32>) -> (tensor<100x32xf32>, tensor<100x32xf32>, tensor<f32>)
  return %loss, %di : tensor<f32>, tensor<100x32xf32>
}
