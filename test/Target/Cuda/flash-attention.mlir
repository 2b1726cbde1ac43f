// RUN: clip-opt --convert-clip-to-kernel --kernel-mixed-precision=precision=bf16 --kernel-plan-memory=alignment=64 %s \
// RUN:   | clip-translate --kernel-to-cuda | FileCheck %s

// Attention on bf16 storage (q, k, v and the result bf16, the lse f32, head
// dim 32) runs on tensor cores: one phase of runtime/cuda/FlashAttention.cuh
// on the bf16 buffers as they are, no widen/narrow staging, a block of
// kFlashThreads (128) per 64 query rows: 2 x ceil(80 / 64) = 4 units. With f32
// storage the same op calls the SIMT attentionForward (F32 prefix).
// CHECK-LABEL: extern "C" __global__ void attention_0(
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::flashAttentionForward<32>(2, 80, 80, 0.17f, true, reinterpret_cast<clip::bf16*>(A + {{[0-9]+}}), reinterpret_cast<clip::bf16*>(A + {{[0-9]+}}), reinterpret_cast<clip::bf16*>(A + {{[0-9]+}}), reinterpret_cast<clip::bf16*>(A + {{[0-9]+}}), reinterpret_cast<float*>(A + {{[0-9]+}}));
// CHECK-NOT:   attention_0_widen
// CHECK-LABEL: extern "C" __global__ void exp_1(

// RUN: clip-opt --convert-clip-to-kernel --kernel-plan-memory=alignment=64 %s \
// RUN:   | clip-translate --kernel-to-cuda | FileCheck %s --check-prefix=F32
// F32: clip::cuda::attentionForward(2, 80, 80, 32, 32, 0.17f, true,
// F32-NOT: flashAttention
func.func @flash() -> tensor<2x80x32xf32> {
  %q = clip.input "q" : tensor<2x80x32xf32>
  %k = clip.input "k" : tensor<2x80x32xf32>
  %v = clip.input "v" : tensor<2x80x32xf32>
  %a, %lse = clip.attention %q, %k, %v scale 0.17 causal : (tensor<2x80x32xf32>, tensor<2x80x32xf32>, tensor<2x80x32xf32>) -> (tensor<2x80x32xf32>, tensor<2x80xf32>)
  %e = clip.exp %a : tensor<2x80x32xf32>
  return %e : tensor<2x80x32xf32>
}
