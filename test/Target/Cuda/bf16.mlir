// RUN: clip-opt --convert-clip-to-kernel --kernel-mixed-precision=precision=bf16 --kernel-plan-memory=alignment=64 %s \
// RUN:   | clip-translate --kernel-to-cuda | FileCheck %s

// bf16 storage on the CUDA target. The rounding casts and elementwise loops
// read and write clip::bf16 directly. A device-library call on bf16 buffers
// without a bf16 kernel (here a layer norm over 12 values, not a multiple of
// 8) runs on f32 copies past the function's arena (512
// bytes here): a `_widen<k>` kernel per bf16 operand, the call, a
// `_narrow<k>` kernel per bf16 result; its f32 statistics are written
// directly. (The GEMM is a cuBLASLt step with bf16 storage types.)
// CHECK-LABEL: extern "C" __global__ void cast_bf16_0(
// CHECK:           const float v0 = static_cast<float*>(I[0])[i];
// CHECK-NEXT:      const clip::bf16 v1 = static_cast<clip::bf16>(v0);
// CHECK-NEXT:      reinterpret_cast<clip::bf16*>(A + 320)[i] = v1;
// CHECK-LABEL: extern "C" __global__ void layer_norm_1_widen0(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::widenBf16(48, reinterpret_cast<clip::bf16*>(A + 192), reinterpret_cast<float*>(A + 512));
// CHECK-LABEL: extern "C" __global__ void layer_norm_1(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::layerNormForward(4, 12, reinterpret_cast<float*>(A + 512), nullptr, nullptr, static_cast<float*>(P[1]), static_cast<float*>(P[2]), 1e-05f, reinterpret_cast<float*>(A + 768), reinterpret_cast<float*>(A + 0), reinterpret_cast<float*>(A + 64));
// CHECK-LABEL: extern "C" __global__ void layer_norm_1_narrow1(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::narrowBf16(48, reinterpret_cast<float*>(A + 768), reinterpret_cast<clip::bf16*>(A + 320));
// CHECK-LABEL: extern "C" __global__ void exp_2(
// CHECK:           const float v0 = reinterpret_cast<clip::bf16*>(A + 320)[i];
// CHECK-NEXT:      const float v1 = expf(v0);
// CHECK-NEXT:      reinterpret_cast<float*>(A + 0)[i] = v1;
func.func @bf16() -> tensor<4x12xf32> {
  %x = clip.input "x" : tensor<4x8xf32>
  %w = clip.param "w" : tensor<12x8xf32>
  %g = clip.param "g" : tensor<12xf32>
  %b = clip.param "b" : tensor<12xf32>
  %h = clip.gemm %x, %w transpose_rhs : (tensor<4x8xf32>, tensor<12x8xf32>) -> tensor<4x12xf32>
  %ln, %mean, %rstd = clip.layer_norm %h, %g, %b epsilon 1.0e-05 : (tensor<4x12xf32>, tensor<12xf32>, tensor<12xf32>) -> (tensor<4x12xf32>, tensor<4x1xf32>, tensor<4x1xf32>)
  %e = clip.exp %ln : tensor<4x12xf32>
  return %e : tensor<4x12xf32>
}

// A width that is a multiple of 8 takes LayerNormBf16.cuh's warp-per-row
// kernel on the bf16 buffers as they are (no staging): a block of
// kRowThreads (4 rows), one 8-wide vector a lane.
// CHECK-LABEL: extern "C" __global__ void layer_norm_1(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::layerNormForwardBf16<1>(4, 16, reinterpret_cast<clip::bf16*>(A + 256), nullptr, nullptr, static_cast<float*>(P[1]), static_cast<float*>(P[2]), 1e-05f, reinterpret_cast<clip::bf16*>(A + 384), reinterpret_cast<float*>(A + 0), reinterpret_cast<float*>(A + 64));
func.func @bf16_rows() -> tensor<4x16xf32> {
  %x = clip.input "x" : tensor<4x8xf32>
  %w = clip.param "w" : tensor<16x8xf32>
  %g = clip.param "g" : tensor<16xf32>
  %b = clip.param "b" : tensor<16xf32>
  %h = clip.gemm %x, %w transpose_rhs : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %ln, %mean, %rstd = clip.layer_norm %h, %g, %b epsilon 1.0e-05 : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x1xf32>, tensor<4x1xf32>)
  %e = clip.exp %ln : tensor<4x16xf32>
  return %e : tensor<4x16xf32>
}
