//===- Reduction.cuh - Reductions and softmax (CUDA device library) -------===//
//
// Reductions over index spaces (sum, mean, max), argmax and
// (log_)softmax.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_REDUCTION_CUH
#define CLIP_RUNTIME_CUDA_REDUCTION_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

/// dst[o] for every flat kept index o (row-major over keptShape) = the
/// reduction over the reduced index space of src[sum(keptIdx * keptStrides)
/// + sum(redIdx * redStrides)]. kind: 0 sum, 1 mean (sums in double), 2 max
/// (NaN-propagating; -inf over nothing; a mean over nothing is NaN).
/// units: product(keptShape), block-per-unit.
__device__ inline void reduce(int kind, int keptRank, const i64 *keptShape,
                              const i64 *keptStrides, int redRank,
                              const i64 *redShape, const i64 *redStrides,
                              const float *src, float *dst) {
  using namespace detail;
  i64 keptCount = 1, redCount = 1;
  for (int d = 0; d < keptRank; ++d)
    keptCount *= keptShape[d];
  for (int d = 0; d < redRank; ++d)
    redCount *= redShape[d];
  for (i64 u = blockIdx.x; u < keptCount; u += gridDim.x) {
    i64 base = 0, rest = u;
    for (int d = keptRank - 1; d >= 0; --d) {
      base += (rest % keptShape[d]) * keptStrides[d];
      rest /= keptShape[d];
    }
    double sum = 0.0;
    float max = negInf();
    for (i64 r = tid(); r < redCount; r += nthreads()) {
      i64 offset = base;
      rest = r;
      for (int d = redRank - 1; d >= 0; --d) {
        offset += (rest % redShape[d]) * redStrides[d];
        rest /= redShape[d];
      }
      const float v = src[offset];
      if (kind == 2)
        max = (v > max || v != v) ? v : max;
      else
        sum += static_cast<double>(v);
    }
    if (kind == 2) {
      max = blockMax(max);
      if (tid() == 0)
        dst[u] = max;
    } else {
      sum = blockSum(sum);
      if (tid() == 0)
        dst[u] = static_cast<float>(
            kind == 1 ? sum / static_cast<double>(redCount) : sum);
    }
  }
}

/// First index of the maximum along the middle dim of [outer, axis, inner]
/// (a NaN counts as the maximum; the first NaN wins). Nothing when axis <= 0.
/// units: outer * inner, thread-per-unit.
template <typename T>
__device__ inline void argmax(i64 outer, i64 axis, i64 inner, const T *src,
                              long long *dst) {
  using namespace detail;
  if (axis <= 0 || inner <= 0)
    return;
  const i64 total = outer * inner;
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    const T *base = src + (idx / inner) * axis * inner + idx % inner;
    T value = base[0];
    long long best = 0;
    for (i64 i = 1; i < axis; ++i) {
      const T v = base[i * inner];
      if (!isNan(value) && (v > value || isNan(v))) {
        value = v;
        best = i;
      }
    }
    dst[idx] = best;
  }
}

/// (log_)softmax along the middle dim of [outer, axis, inner]: the max
/// (NaN-propagating), then the sum of exp(x - max) in double, then the
/// outputs. One (outer, inner) column per unit, the block along the axis.
/// units: outer * inner, block-per-unit.
__device__ inline void softmax(i64 outer, i64 axis, i64 inner, bool log,
                               const float *src, float *dst) {
  using namespace detail;
  if (axis <= 0 || inner <= 0)
    return;
  const i64 t = tid(), nt = nthreads();
  const i64 units = outer * inner;
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 start = (u / inner) * axis * inner + u % inner;
    const float *in = src + start;
    float *out = dst + start;
    float max = negInf();
    for (i64 a = t; a < axis; a += nt)
      max = clip::scalar::maxOf(max, in[a * inner]);
    max = blockMax(max);
    double part = 0.0;
    for (i64 a = t; a < axis; a += nt)
      part += static_cast<double>(expf(in[a * inner] - max));
    const double sum = blockSum(part);
    if (log) {
      const float logSum = static_cast<float>(logD(sum));
      for (i64 a = t; a < axis; a += nt)
        out[a * inner] = (in[a * inner] - max) - logSum;
    } else {
      const float inv = static_cast<float>(1.0 / sum);
      for (i64 a = t; a < axis; a += nt)
        out[a * inner] = expf(in[a * inner] - max) * inv;
    }
  }
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_REDUCTION_CUH
