// The training function's CUDA unit, and only it, carries the training
// update's kernels under the names runtime/abi/ClipLibrary.h gives them
// (CLIP_CUDA_ACCUMULATE, _SUM_SQUARES, _GLOBAL_NORM, _ADAMW), each wrapping the
// device function of runtime/cuda/Optimizer.cuh.
// RUN: clipc %models/clip/vit_tiny.mlir --batch 2 --emit cuda | FileCheck %s
// CHECK-LABEL: the CUDA kernels of `forward`
// CHECK-NOT:   __global__ void clip_adamw
// CHECK-LABEL: the CUDA kernels of `train_step`
// CHECK:       extern "C" __global__ void clip_accumulate_gradients(clip::cuda::TensorChunks c, const float *const *g, float *const *s, long long micro, long long accum) {
// CHECK-NEXT:    clip::cuda::accumulateGradients(c, g, s, micro, accum);
// CHECK:       extern "C" __global__ void clip_sum_squares(clip::cuda::TensorChunks c, const float *const *g, double *partial) {
// CHECK-NEXT:    clip::cuda::sumSquares(c, g, partial);
// CHECK:       extern "C" __global__ void clip_global_norm(long long count, const double *partial, double maxNorm, double *norm) {
// CHECK-NEXT:    clip::cuda::globalNorm(count, partial, maxNorm, norm);
// CHECK:       extern "C" __global__ void clip_adamw(clip::cuda::TensorChunks c, float *const *x, const float *const *g, float *const *m, float *const *v, const clip::scalar::AdamWStep *steps, const double *norm, long long clampTensor, float clampMax) {
// CHECK-NEXT:    clip::cuda::adamw(c, x, g, m, v, steps, norm, clampTensor, clampMax);
// CHECK-LABEL: the CUDA kernels of `encode_image`
// CHECK-NOT:   __global__ void clip_adamw
