//===- Gather.cuh - Gather (CUDA device library) --------------------------===//
//
// clip.gather and its gradient, with the index check (docs/cuda-kernels.md,
// "Gather errors").
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_GATHER_CUH
#define CLIP_RUNTIME_CUDA_GATHER_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

namespace detail {
/// The loop gather and gatherGrad share: for every output element `idx` of
/// [batch, pre, count, inner] whose index is good, f(idx, offset of the
/// gathered table element); the first batch * count threads also check one
/// index position each (checkIndex).
template <typename F>
__device__ inline void forEachGathered(i64 batch, i64 pre, i64 axis, i64 inner,
                                       i64 count, const long long *indices,
                                       long long *error, F f) {
  const i64 positions = batch * count, total = batch * pre * count * inner;
  const i64 limit = maxI(positions, total);
  for (i64 idx = firstThread(); idx < limit; idx += allThreads()) {
    if (idx < positions)
      checkIndex(idx, indices, axis, error);
    if (idx >= total)
      continue;
    const i64 col = idx % inner, row = idx / inner;
    const i64 c = row % count, bp = row / count, b = bp / pre;
    const long long index = indices[b * count + c];
    if (!badIndex(index, axis))
      f(idx, (bp * axis + index) * inner + col);
  }
}
} // namespace detail

/// clip::cpu::gather: x [batch, pre, axis, inner], indices [batch, count],
/// out [batch, pre, count, inner]. An index outside [0, axis) is an error:
/// the first bad one (lowest flat position in indices) is recorded as
/// error[0..2] = {1, position, index} (unless error[0] is already set;
/// `error` points at 3 zeroed long longs), and the output elements of bad
/// positions are not written (the others are). T is float or long long.
/// units: batch * pre * count * inner, thread-per-unit (the first
/// batch * count threads also check one index position each).
template <typename T>
__device__ inline void gather(i64 batch, i64 pre, i64 axis, i64 inner,
                              i64 count, const T *x, const long long *indices,
                              T *out, long long *error) {
  detail::forEachGathered(batch, pre, axis, inner, count, indices, error,
                          [&](i64 idx, i64 at) { out[idx] = x[at]; });
}

/// clip::cpu::gatherGrad: dx [batch, pre, axis, inner] += grad at the
/// gathered rows. dx must be zeroed first (a `fill` launch). atomicAdd:
/// repeated indices accumulate in no fixed order (not bit-deterministic).
/// Bad indices as in gather (their gradients are dropped).
/// units: batch * pre * count * inner, thread-per-unit.
__device__ inline void gatherGrad(i64 batch, i64 pre, i64 axis, i64 inner,
                                  i64 count, const float *grad,
                                  const long long *indices, float *dx,
                                  long long *error) {
  detail::forEachGathered(
      batch, pre, axis, inner, count, indices, error,
      [&](i64 idx, i64 at) { atomicAdd(dx + at, grad[idx]); });
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_GATHER_CUH
