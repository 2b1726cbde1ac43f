//===- DataMovement.cuh - Copies and fill (CUDA device library) -----------===//
//
// Data movement: strided copies (transpose, broadcast, slice, concat) and
// fill.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_DATAMOVEMENT_CUH
#define CLIP_RUNTIME_CUDA_DATAMOVEMENT_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

/// dst[sum(idx * dstStrides)] = src[sum(idx * srcStrides)] for every index
/// of `shape` (row-major; a 0 source stride broadcasts). Nothing when a dim
/// is empty; rank 0 copies one element. T is float or long long.
/// units: product(shape), thread-per-unit.
template <typename T>
__device__ inline void stridedCopy(int rank, const i64 *shape, const T *src,
                                   const i64 *srcStrides, T *dst,
                                   const i64 *dstStrides) {
  using namespace detail;
  i64 total = 1;
  for (int d = 0; d < rank; ++d)
    total *= shape[d] > 0 ? shape[d] : 0;
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    i64 rest = idx, from = 0, to = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const i64 i = rest % shape[d];
      rest /= shape[d];
      from += i * srcStrides[d];
      to += i * dstStrides[d];
    }
    dst[to] = src[from];
  }
}

/// dst[i] = value (T float or clip::bf16). units: count, thread-per-unit.
template <typename T>
__device__ inline void fill(T *dst, i64 count, float value) {
  for (i64 i = detail::firstThread(); i < count; i += detail::allThreads())
    dst[i] = value;
}

/// The f32 copy of a bf16 buffer that a device-library call reads, and the
/// rounding (to nearest even) of its f32 result into a bf16 buffer
/// (`--precision bf16`, clip::cpu::Bf16Staging on the device).
/// units: count, thread-per-unit.
__device__ inline void widenBf16(i64 count, const bf16 *src, float *dst) {
  for (i64 i = detail::firstThread(); i < count; i += detail::allThreads())
    dst[i] = src[i];
}
__device__ inline void narrowBf16(i64 count, const float *src, bf16 *dst) {
  for (i64 i = detail::firstThread(); i < count; i += detail::allThreads())
    dst[i] = src[i];
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_DATAMOVEMENT_CUH
