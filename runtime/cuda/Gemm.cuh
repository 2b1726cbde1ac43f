//===- Gemm.cuh - GEMM epilogue (CUDA device library) ---------------------===//
//
// What clipc launches after a cuBLASLt GEMM: the activation and the
// residual of clip.gemm's epilogue (the bias is cuBLASLt's).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_GEMM_CUH
#define CLIP_RUNTIME_CUDA_GEMM_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

/// After a cuBLASLt D = A B (+ bias): c[i] = act(c[i]) (+ residual[i]).
/// Activation codes as clip::cpu::Activation (0 none, 1 gelu erf, 2 gelu
/// tanh, 3 quick gelu). `residual` may be null or alias `c`. Either may be
/// float or clip::bf16 storage (f32 arithmetic, one rounding on store).
/// units: count, thread-per-unit.
template <typename R, typename C>
__device__ inline void gemmEpilogue(i64 count, int activation,
                                    const R *residual, C *c) {
  for (i64 i = detail::firstThread(); i < count; i += detail::allThreads()) {
    float v = clip::scalar::activate(activation, c[i]);
    if (residual)
      v += residual[i];
    c[i] = v;
  }
}

/// Without a residual.
template <typename C>
__device__ inline void gemmEpilogue(i64 count, int activation,
                                    decltype(nullptr), C *c) {
  gemmEpilogue(count, activation, static_cast<const float *>(nullptr), c);
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_GEMM_CUH
