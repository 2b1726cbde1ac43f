// RUN: clip-opt --convert-clip-to-kernel --kernel-mixed-precision=precision=bf16 --kernel-plan-memory=alignment=64 %s \
// RUN:   | clip-translate --kernel-to-cuda | FileCheck %s

// bf16 storage on the CUDA target. The rounding casts and elementwise loops
// read and write clip::bf16 directly. A device-library call on bf16 buffers
// (here the layer norm) runs on f32 copies past the function's arena (512
// bytes here): a `_widen<k>` kernel per bf16 operand, the call, a
// `_narrow<k>` kernel per bf16 result; its f32 statistics are written
// directly. (The GEMM is a cuBLASLt step with bf16 storage types.)
// CHECK-LABEL: extern "C" __global__ void cast_bf16_0(
// CHECK:           const float v0 = static_cast<float*>(I[0])[i];
// CHECK-NEXT:      const clip::bf16 v1 = static_cast<clip::bf16>(v0);
// CHECK-NEXT:      reinterpret_cast<clip::bf16*>(A + 384)[i] = v1;
// CHECK-LABEL: extern "C" __global__ void layer_norm_1_widen0(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::widenBf16(64, reinterpret_cast<clip::bf16*>(A + 256), reinterpret_cast<float*>(A + 512));
// CHECK-LABEL: extern "C" __global__ void layer_norm_1(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::layerNormForward(4, 16, reinterpret_cast<float*>(A + 512), nullptr, nullptr, static_cast<float*>(P[1]), static_cast<float*>(P[2]), 1e-05f, reinterpret_cast<float*>(A + 768), reinterpret_cast<float*>(A + 0), reinterpret_cast<float*>(A + 64));
// CHECK-LABEL: extern "C" __global__ void layer_norm_1_narrow1(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::narrowBf16(64, reinterpret_cast<float*>(A + 768), reinterpret_cast<clip::bf16*>(A + 384));
// CHECK-LABEL: extern "C" __global__ void exp_2(
// CHECK:           const float v0 = reinterpret_cast<clip::bf16*>(A + 384)[i];
// CHECK-NEXT:      const float v1 = expf(v0);
// CHECK-NEXT:      reinterpret_cast<float*>(A + 0)[i] = v1;
func.func @bf16() -> tensor<4x16xf32> {
  %x = clip.input "x" : tensor<4x8xf32>
  %w = clip.param "w" : tensor<16x8xf32>
  %g = clip.param "g" : tensor<16xf32>
  %b = clip.param "b" : tensor<16xf32>
  %h = clip.gemm %x, %w transpose_rhs : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %ln, %mean, %rstd = clip.layer_norm %h, %g, %b epsilon 1.0e-05 : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x1xf32>, tensor<4x1xf32>)
  %e = clip.exp %ln : tensor<4x16xf32>
  return %e : tensor<4x16xf32>
}
