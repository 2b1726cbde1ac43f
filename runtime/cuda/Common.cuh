//===- Common.cuh - Shared helpers of the CUDA device library -------------===//
//
// The CUDA backend's kernel library (everything but GEMMs, which are
// cuBLASLt's), one file per kernel family in runtime/cuda; this one holds
// what they share: the index type, the block size and the detail:: helpers
// (thread indexing, block reductions, the families' small helpers).
// `clipc --target cuda` emits, per model function, one CUDA C++ unit that
// NVRTC compiles at run time: the text of runtime/kernels/ScalarMath.h,
// runtime/kernels/KernelAbi.h and the family files, in the order of
// runtime/cuda/DeviceLibrary.cmake, then one `extern "C" __global__` kernel
// per launch whose body calls one function of clip::cuda with constant
// shapes and arena pointers. runtime/cuda/CudaKernels.cuh includes them all.
//
// Rules of the library (docs/cuda-kernels.md):
//  - A file #includes only the library's own headers, under
//    `#ifndef __CUDACC_RTC__` (NVRTC sees the files concatenated and has no
//    system headers here), and compiles with `-std=c++17
//    --gpu-architecture=sm_90` without a warning. It also compiles as host
//    C++ under runtime/cuda/HostEmulation.h (the tests), included first.
//  - Launches are 1-D: any gridDim.x >= 1, blockDim.x in [1, kBlock] (256 on
//    the GPU). Every function says its units: "block-per-unit" functions
//    loop `for (u = blockIdx.x; u < units; u += gridDim.x)` with the whole
//    block on one unit (grid = min(units, 65535)); "thread-per-unit" ones
//    loop grid-stride over threads (grid = min(ceil(units / 256), 65535)).
//  - Fixed-size __shared__ arrays only. The families before Warp.cuh use
//    no warp shuffles: block reductions fold the upper half of the live
//    threads onto the lower half, which is correct for any blockDim.x and
//    sums in a fixed order.
//  - Same math as runtime/cpu (CpuKernels.h): f32 data, i64 indices, long
//    sums in double where the CPU sums in double. No scratch memory: where
//    the CPU needs a global barrier, the op is split into phases (separate
//    launches, in the order given), which may use their outputs as scratch.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_COMMON_CUH
#define CLIP_RUNTIME_CUDA_COMMON_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/kernels/KernelAbi.h"
#include "runtime/kernels/ScalarMath.h"
#endif

namespace clip::cuda {

using i64 = long long;

/// The largest block the functions support (and the GPU launch size).
constexpr int kBlock = kernels::kCudaBlock;
/// Columns per unit of layerNormGradParams.
constexpr int kParamColumns = kernels::kParamColumns;

/// Fully unrolls the next loop on the device (its bound a constant): a
/// register array indexed by the loop variable then stays in registers
/// instead of local memory. Nothing on the host.
#ifdef __CUDACC__
#define CLIP_UNROLL _Pragma("unroll")
#else
#define CLIP_UNROLL
#endif

namespace detail {

__device__ inline i64 tid() { return static_cast<i64>(threadIdx.x); }
__device__ inline i64 nthreads() { return static_cast<i64>(blockDim.x); }
__device__ inline i64 firstThread() {
  return static_cast<i64>(blockIdx.x) * static_cast<i64>(blockDim.x) +
         static_cast<i64>(threadIdx.x);
}
__device__ inline i64 allThreads() {
  return static_cast<i64>(gridDim.x) * static_cast<i64>(blockDim.x);
}
__device__ inline i64 minI(i64 a, i64 b) { return a < b ? a : b; }
__device__ inline i64 maxI(i64 a, i64 b) { return a > b ? a : b; }
__device__ inline i64 ceilDiv(i64 a, i64 b) { return (a + b - 1) / b; }
__device__ inline float negInf() { return -__int_as_float(0x7f800000); }
__device__ inline float quietNan() { return __int_as_float(0x7fc00000); }
__device__ inline double logD(double x) { return log(x); }
__device__ inline double expD(double x) { return exp(x); }
__device__ inline double sqrtD(double x) { return sqrt(x); }
__device__ inline double log1pD(double x) { return log1p(x); }

/// The block reductions' shape: the upper half of the n live values is
/// folded onto the lower half (`fold(t, t + half)`; ceil(n / 2) remain)
/// until one is left, with a barrier before each round, so any blockDim.x
/// in [1, kBlock] works and the order of the combinations is fixed.
template <typename Fold> __device__ inline void foldHalves(Fold fold) {
  const i64 t = tid();
  __syncthreads();
  for (i64 n = nthreads(); n > 1;) {
    const i64 half = (n + 1) / 2;
    if (t + half < n)
      fold(t, t + half);
    __syncthreads();
    n = half;
  }
}

/// Sum of `v` over the block's threads (foldHalves); every thread gets the
/// total. Ends with a barrier (reusable at once).
__device__ inline double blockSum(double v) {
  __shared__ double buf[kBlock];
  buf[tid()] = v;
  foldHalves([&](i64 a, i64 b) { buf[a] += buf[b]; });
  const double total = buf[0];
  __syncthreads();
  return total;
}

/// Two block sums at once (one set of barriers).
__device__ inline void blockSum2(double &a, double &b) {
  __shared__ double bufA[kBlock];
  __shared__ double bufB[kBlock];
  bufA[tid()] = a;
  bufB[tid()] = b;
  foldHalves([&](i64 x, i64 y) {
    bufA[x] += bufA[y];
    bufB[x] += bufB[y];
  });
  a = bufA[0];
  b = bufB[0];
  __syncthreads();
}

/// NaN-propagating maximum over the block (clip::scalar::maxOf).
__device__ inline float blockMax(float v) {
  __shared__ float buf[kBlock];
  buf[tid()] = v;
  foldHalves(
      [&](i64 a, i64 b) { buf[a] = clip::scalar::maxOf(buf[a], buf[b]); });
  const float total = buf[0];
  __syncthreads();
  return total;
}

/// Online log-sum-exp of one thread: `max` the largest value seen, `sum`
/// the sum of exp(value - max) in double. A NaN value makes the sum NaN.
__device__ inline void lseAdd(float &max, double &sum, float v) {
  if (v > max) {
    sum = sum * expD(static_cast<double>(max) - static_cast<double>(v)) + 1.0;
    max = v;
  } else if (!(v == max && v == negInf())) {
    sum += static_cast<double>(expf(v - max));
  }
}

/// Combines the threads' (max, sum) pairs: `max` becomes the block's
/// maximum, and the result is sum(exp(value - max)) over all values.
__device__ inline double blockLse(float &max, double sum) {
  const float all = blockMax(max);
  double scaled = 0.0;
  if (max == all)
    scaled = sum;
  else if (sum != 0.0)
    scaled = sum * expD(static_cast<double>(max) - static_cast<double>(all));
  max = all;
  return blockSum(scaled);
}

/// f32 dot product, in order (as one row of an sgemm).
__device__ inline float dotF(const float *a, const float *b, i64 n) {
  float acc = 0.0f;
  for (i64 e = 0; e < n; ++e)
    acc += a[e] * b[e];
  return acc;
}

/// This thread's share (elements t, t + blockDim.x, ...) of a double dot.
__device__ inline double dotPartial(const float *a, const float *b, i64 n) {
  double acc = 0.0;
  for (i64 e = tid(); e < n; e += nthreads())
    acc += static_cast<double>(a[e]) * static_cast<double>(b[e]);
  return acc;
}

/// One chunk of a vector-matrix product, by the whole block:
///   out[e] = (first ? 0 : out[e]) + sum_{r < n} coef[r] * load(r, e)
/// for e < width, then times `finalScale` when `last`. `coef` is __shared__
/// (n <= blockDim.x values written before the call). Threads split into
/// groups of min(width, blockDim.x) columns; each group sums a strided share
/// of the rows, and the group partials are added in group order. The
/// thread that writes out[e] is thread e % blockDim.x (always the same for a
/// given blockDim.x), so chunks can accumulate in `out`. Barriers on entry
/// and exit, so `coef` may be rewritten right after.
template <typename Load>
__device__ void accumulateRows(const float *coef, i64 n, Load load, i64 width,
                               float *out, bool first, bool last,
                               float finalScale) {
  __shared__ float partial[kBlock];
  const i64 t = tid(), nt = nthreads();
  __syncthreads();
  const i64 w = width < nt ? width : nt;
  if (w > 0) {
    const i64 groups = nt / w, g = t / w, lane = t % w;
    for (i64 e0 = 0; e0 < width; e0 += w) {
      const i64 e = e0 + lane;
      float acc = 0.0f;
      if (g < groups && e < width)
        for (i64 r = g; r < n; r += groups)
          acc += coef[r] * load(r, e);
      partial[t] = acc;
      __syncthreads();
      if (t < w && e < width) {
        float sum = 0.0f;
        for (i64 h = 0; h < groups; ++h)
          sum += partial[h * w + t];
        float value = first ? sum : out[e] + sum;
        if (last)
          value *= finalScale;
        out[e] = value;
      }
      __syncthreads();
    }
  }
}

/// exp(logitScale) as the CPU computes it.
__device__ inline float expScale(const float *logitScale) {
  return static_cast<float>(expD(static_cast<double>(*logitScale)));
}

/// logits[i][j] = s * (image[i] / imageNorm[i]) . (text[j] / textNorm[j]):
/// unit vectors rounded to f32 element by element, then an f32 dot.
__device__ inline float logit(i64 d, const float *image, const float *text,
                              const float *imageNorm, const float *textNorm,
                              float s, i64 i, i64 j) {
  const float ni = imageNorm[i], nj = textNorm[j];
  const float *a = image + i * d, *b = text + j * d;
  float acc = 0.0f;
  for (i64 e = 0; e < d; ++e)
    acc += (a[e] / ni) * (b[e] / nj);
  return s * acc;
}

/// d loss / d logits[i][j] (times the upstream weight grad / 2n).
__device__ inline float logitGrad(float logitValue, float imageLse,
                                  float textLse, bool diagonal, float weight) {
  return weight * (expf(logitValue - imageLse) + expf(logitValue - textLse) -
                   (diagonal ? 2.0f : 0.0f));
}

__device__ inline bool badIndex(long long index, i64 axis) {
  return index < 0 || index >= axis;
}

/// Records position `p` of `indices` when it is the first bad one (an
/// O(p) scan, run only by threads whose own index is bad): exactly one
/// thread of the launch writes, so no atomics are needed. An error that an
/// earlier launch recorded is kept.
__device__ inline void checkIndex(i64 p, const long long *indices, i64 axis,
                                  long long *error) {
  const long long index = indices[p];
  if (!badIndex(index, axis))
    return;
  for (i64 q = 0; q < p; ++q)
    if (badIndex(indices[q], axis))
      return;
  if (error[0] == 0) {
    error[1] = p;
    error[2] = index;
    error[0] = 1;
  }
}

__device__ inline bool isNan(float v) { return v != v; }
__device__ inline bool isNan(long long) { return false; }

} // namespace detail

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_COMMON_CUH
