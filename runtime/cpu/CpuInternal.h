//===- CpuInternal.h - Helpers shared by the CPU kernel files -------------===//
//
// Private to runtime/cpu: the sgemm wrappers (single-threaded OpenBLAS calls,
// split over OpenMP threads by the caller or by parallelSgemm), thread-count
// helpers, double-accumulated sums and a vectorized exp (AVX2 + FMA when
// compiled for x86-64-v3, else std::exp).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CPU_CPUINTERNAL_H
#define CLIP_RUNTIME_CPU_CPUINTERNAL_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include <omp.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define CLIP_CPU_AVX2 1
#endif

namespace clip::cpu::detail {

/// Threads an OpenMP region of the library gets.
inline int maxThreads() { return std::max(1, omp_get_max_threads()); }

/// Whether a loop of `work` element-operations is worth an OpenMP region.
inline bool worthThreads(int64_t work) {
  return work >= (int64_t(1) << 15) && maxThreads() > 1;
}

/// Whether `batch` independent problems should be spread over OpenMP threads
/// (one whole problem per thread at a time) rather than run one after
/// another, each split over the threads.
inline bool batchParallel(int64_t batch) {
  const int threads = maxThreads();
  if (threads <= 1 || batch < threads)
    return false;
  return batch >= 2 * threads || batch % threads == 0;
}

/// Row-major C = alpha op(A) op(B) + beta C on the calling thread. OpenBLAS
/// is kept single-threaded: every thread of the library is an OpenMP thread,
/// so no second pool of (spinning) OpenBLAS workers competes for the cores.
/// Handles empty shapes (k == 0: C = beta C) without calling OpenBLAS.
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           float alpha, const float *a, int64_t lda, const float *b,
           int64_t ldb, float beta, float *c, int64_t ldc);
/// The same with the dense leading dims (lda = k or m, ldb = n or k, ldc = n).
inline void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                  float alpha, const float *a, const float *b, float beta,
                  float *c) {
  sgemm(transA, transB, m, n, k, alpha, a, transA ? m : k, b, transB ? k : n,
        beta, c, n);
}

/// sgemm with C split over the OpenMP threads: by rows when M >= N, else by
/// columns, in a fixed partition (so results only depend on the thread
/// count). `after(rowBegin, rowEnd, colBegin, colEnd)` runs on each block of
/// C right after the thread computed it (a fused epilogue); it may be a
/// no-op. Small problems, and calls from inside a parallel region, run on
/// the calling thread.
template <typename After>
void parallelSgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                   float alpha, const float *a, int64_t lda, const float *b,
                   int64_t ldb, float beta, float *c, int64_t ldc,
                   After after) {
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) *
                       static_cast<double>(k);
  const bool rows = m >= n;
  if (maxThreads() <= 1 || omp_in_parallel() || flops < 2.0e6 ||
      (rows ? m : n) < 32) {
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    after(int64_t(0), m, int64_t(0), n);
    return;
  }
#pragma omp parallel
  {
    const int64_t t = omp_get_thread_num(), threads = omp_get_num_threads();
    // Block edges on multiples of 16 (OpenBLAS's register tiles).
    const int64_t size = rows ? m : n;
    auto edge = [&](int64_t i) {
      return i == threads ? size
                          : std::min(size, (size * i / threads) & ~int64_t(15));
    };
    const int64_t begin = edge(t), end = edge(t + 1);
    if (end > begin) {
      if (rows) {
        sgemm(transA, transB, end - begin, n, k, alpha,
              transA ? a + begin : a + begin * lda, lda, b, ldb, beta,
              c + begin * ldc, ldc);
        after(begin, end, int64_t(0), n);
      } else {
        sgemm(transA, transB, m, end - begin, k, alpha, a, lda,
              transB ? b + begin * ldb : b + begin, ldb, beta, c + begin, ldc);
        after(int64_t(0), m, begin, end);
      }
    }
  }
}
inline void parallelSgemm(bool transA, bool transB, int64_t m, int64_t n,
                          int64_t k, float alpha, const float *a,
                          const float *b, float beta, float *c) {
  parallelSgemm(transA, transB, m, n, k, alpha, a, transA ? m : k, b,
                transB ? k : n, beta, c, n,
                [](int64_t, int64_t, int64_t, int64_t) {});
}

#ifdef CLIP_CPU_AVX2
/// exp of 8 lanes: Cephes' expf polynomial (about 1 ulp), 0 below
/// log(FLT_MIN), +inf above log(FLT_MAX), NaN in NaN out.
inline __m256 exp8(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.3762626647949f);
  const __m256 lo = _mm256_set1_ps(-87.3365447504f);
  const __m256 overflow = _mm256_set1_ps(88.7228391116729996f);
  // min/max return their second operand when one is NaN: keep x second.
  __m256 xc = _mm256_max_ps(lo, _mm256_min_ps(hi, x));
  __m256 fx = _mm256_fmadd_ps(xc, _mm256_set1_ps(1.44269504088896341f),
                              _mm256_set1_ps(0.5f));
  fx = _mm256_floor_ps(fx);
  __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500E-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507E-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073E-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894E-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459E-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201E-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), r);
  y = _mm256_add_ps(y, _mm256_set1_ps(1.0f));
  __m256i n = _mm256_cvttps_epi32(fx);
  n = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
  y = _mm256_mul_ps(y, _mm256_castsi256_ps(n));
  y = _mm256_blendv_ps(y, _mm256_setzero_ps(),
                       _mm256_cmp_ps(x, lo, _CMP_LT_OQ));
  y = _mm256_blendv_ps(y,
                       _mm256_set1_ps(std::numeric_limits<float>::infinity()),
                       _mm256_cmp_ps(x, overflow, _CMP_GT_OQ));
  return y;
}

/// Lane mask selecting the first `count` (< 8) lanes.
inline __m256i tailMask(int64_t count) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), lanes);
}

/// Adds the 8 lanes of `v` to the 4 double lanes of `acc` (two halves).
inline __m256d accumulate(__m256d acc, __m256 v) {
  acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  return _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}
inline double horizontalSum(__m256d v) {
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, v);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}
#endif

/// out[i] = exp(in[i] - shift) for i < n (in == out allowed); returns the
/// sum of the outputs, accumulated in double. Every element goes through the
/// same code path (the tail uses masked lanes), so a value's result does not
/// depend on where it sits in the row.
inline double expShiftSum(const float *in, float *out, int64_t n, float shift) {
#ifdef CLIP_CPU_AVX2
  const __m256 s = _mm256_set1_ps(shift);
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 e0 = exp8(_mm256_sub_ps(_mm256_loadu_ps(in + i), s));
    __m256 e1 = exp8(_mm256_sub_ps(_mm256_loadu_ps(in + i + 8), s));
    _mm256_storeu_ps(out + i, e0);
    _mm256_storeu_ps(out + i + 8, e1);
    acc0 = accumulate(acc0, e0);
    acc1 = accumulate(acc1, e1);
  }
  for (; i < n; i += 8) {
    const int64_t count = std::min<int64_t>(8, n - i);
    const __m256i mask = tailMask(count);
    __m256 x =
        count == 8 ? _mm256_loadu_ps(in + i) : _mm256_maskload_ps(in + i, mask);
    __m256 e = exp8(_mm256_sub_ps(x, s));
    if (count == 8) {
      _mm256_storeu_ps(out + i, e);
    } else {
      e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
      _mm256_maskstore_ps(out + i, mask, e);
    }
    acc0 = accumulate(acc0, e);
  }
  return horizontalSum(_mm256_add_pd(acc0, acc1));
#else
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    out[i] = std::exp(in[i] - shift);
    sum += out[i];
  }
  return sum;
#endif
}

/// out[i] = exp(a[i] - b[i]) for i < n (out may be a), through the same
/// exp as expShiftSum.
inline void expDifference(const float *a, const float *b, float *out,
                          int64_t n) {
#ifdef CLIP_CPU_AVX2
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, exp8(_mm256_sub_ps(_mm256_loadu_ps(a + i),
                                                 _mm256_loadu_ps(b + i))));
  if (i < n) {
    const __m256i mask = tailMask(n - i);
    _mm256_maskstore_ps(out + i, mask,
                        exp8(_mm256_sub_ps(_mm256_maskload_ps(a + i, mask),
                                           _mm256_maskload_ps(b + i, mask))));
  }
#else
  for (int64_t i = 0; i < n; ++i)
    out[i] = std::exp(a[i] - b[i]);
#endif
}

/// NaN-propagating maximum of a row (-inf for an empty row), as the
/// reference's maxOf.
inline float rowMax(const float *x, int64_t n) {
  const float negInf = -std::numeric_limits<float>::infinity();
  float best = negInf;
  bool nan = false;
  int64_t i = 0;
#ifdef CLIP_CPU_AVX2
  __m256 acc = _mm256_set1_ps(negInf), unordered = _mm256_setzero_ps();
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    acc = _mm256_max_ps(acc, v);
    unordered = _mm256_or_ps(unordered, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc);
  for (float lane : lanes)
    best = lane > best ? lane : best;
  nan = _mm256_movemask_ps(unordered) != 0;
#endif
  for (; i < n; ++i) {
    best = x[i] > best ? x[i] : best;
    nan |= x[i] != x[i];
  }
  return nan ? std::numeric_limits<float>::quiet_NaN() : best;
}

/// sum(a[i] * b[i]) in double (products exact, 8 partial sums).
inline double dotDouble(const float *a, const float *b, int64_t n) {
  int64_t i = 0;
  double sum = 0.0;
#ifdef CLIP_CPU_AVX2
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  for (; i + 8 <= n; i += 8) {
    const __m256 va = _mm256_loadu_ps(a + i), vb = _mm256_loadu_ps(b + i);
    acc0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(va)),
                           _mm256_cvtps_pd(_mm256_castps256_ps128(vb)), acc0);
    acc1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(va, 1)),
                           _mm256_cvtps_pd(_mm256_extractf128_ps(vb, 1)), acc1);
  }
  sum = horizontalSum(_mm256_add_pd(acc0, acc1));
#endif
  for (; i < n; ++i)
    sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
  return sum;
}

/// sum(x[i]) in double (8 partial sums).
inline double sumDouble(const float *x, int64_t n) {
  int64_t i = 0;
  double sum = 0.0;
#ifdef CLIP_CPU_AVX2
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    acc0 = _mm256_add_pd(acc0, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    acc1 = _mm256_add_pd(acc1, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  sum = horizontalSum(_mm256_add_pd(acc0, acc1));
#endif
  for (; i < n; ++i)
    sum += static_cast<double>(x[i]);
  return sum;
}

/// sum((x[i] - mean)^2) in double.
inline double squaredDeviationsDouble(const float *x, int64_t n, double mean) {
  int64_t i = 0;
  double sum = 0.0;
#ifdef CLIP_CPU_AVX2
  const __m256d m = _mm256_set1_pd(mean);
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256d d0 =
        _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), m);
    const __m256d d1 =
        _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), m);
    acc0 = _mm256_fmadd_pd(d0, d0, acc0);
    acc1 = _mm256_fmadd_pd(d1, d1, acc1);
  }
  sum = horizontalSum(_mm256_add_pd(acc0, acc1));
#endif
  for (; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - mean;
    sum += d * d;
  }
  return sum;
}

/// The [begin, end) share of `count` items that thread `t` of `threads` gets:
/// a fixed partition, so results do not depend on scheduling.
inline void threadRange(int64_t count, int t, int threads, int64_t &begin,
                        int64_t &end) {
  begin = count * t / threads;
  end = count * (t + 1) / threads;
}

} // namespace clip::cpu::detail

#endif // CLIP_RUNTIME_CPU_CPUINTERNAL_H
