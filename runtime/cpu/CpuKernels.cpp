//===- CpuKernels.cpp - Shared pieces of the CPU kernel library -----------===//
//
// Thread control, the sgemm wrapper every GEMM-based kernel goes through, and
// fill. Threading model: one pool, OpenMP's. OpenBLAS is kept at one thread
// and GEMMs are split over the OpenMP threads by the kernels (per batch entry
// or per block of C, see parallelSgemm): an OpenBLAS thread pool next to
// OpenMP's spins between calls and, on a 2-core machine, slows the OpenMP
// kernels that follow a GEMM by an order of magnitude. The kernels live one
// concern per file: Gemm.cpp, Normalization.cpp, Attention.cpp,
// Convolution.cpp, DataMovement.cpp.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/CpuKernels.h"
#include "runtime/cpu/CpuInternal.h"

#include <cblas.h>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <algorithm>

namespace clip::cpu {

namespace detail {

namespace {
/// OpenBLAS runs on the calling thread only (see sgemm in CpuInternal.h).
void keepBlasSingleThreaded() {
  static const bool once = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)once;
}
} // namespace

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           float alpha, const float *a, int64_t lda, const float *b,
           int64_t ldb, float beta, float *c, int64_t ldc) {
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0 || alpha == 0.0f) {
    // An empty sum: C = beta C (and no OpenBLAS argument checks to trip).
    for (int64_t i = 0; i < m; ++i) {
      float *row = c + i * ldc;
      if (beta == 0.0f)
        std::fill(row, row + n, 0.0f);
      else if (beta != 1.0f)
        for (int64_t j = 0; j < n; ++j)
          row[j] *= beta;
    }
    return;
  }
  keepBlasSingleThreaded();
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(std::max<int64_t>(1, lda)), b,
              static_cast<blasint>(std::max<int64_t>(1, ldb)), beta, c,
              static_cast<blasint>(std::max<int64_t>(1, ldc)));
}

} // namespace detail

void setThreads(int threads) {
  if (threads <= 0)
    threads = omp_get_num_procs();
  threads = std::max(1, threads);
  omp_set_num_threads(threads);
  // GEMMs are split over these OpenMP threads by the library itself; each
  // OpenBLAS call stays on its calling thread.
  openblas_set_num_threads(1);
}

namespace {
template <typename T> void fillImpl(T *dst, int64_t count, T value) {
  if (count <= 0)
    return;
  if (!detail::worthThreads(count)) {
    std::fill(dst, dst + count, value);
    return;
  }
#pragma omp parallel
  {
    int64_t begin, end;
    detail::threadRange(count, omp_get_thread_num(), omp_get_num_threads(),
                        begin, end);
    std::fill(dst + begin, dst + end, value);
  }
}
} // namespace

void fill(float *dst, int64_t count, float value) {
  fillImpl(dst, count, value);
}

void fill(bf16 *dst, int64_t count, float value) {
  fillImpl(dst, count, bf16(value));
}

} // namespace clip::cpu

namespace clip::cpu {

void widen(const bf16 *src, float *dst, int64_t count) {
#pragma omp parallel for schedule(static) if (count >= 65536)
  for (int64_t i = 0; i < count; ++i)
    dst[i] = src[i];
}

void narrow(const float *src, bf16 *dst, int64_t count) {
#pragma omp parallel for schedule(static) if (count >= 65536)
  for (int64_t i = 0; i < count; ++i)
    dst[i] = src[i];
}

Bf16Staging::Bf16Staging(const bf16 *buffer, int64_t count)
    : values(static_cast<size_t>(count)) {
  widen(buffer, values.data(), count);
}

Bf16Staging::Bf16Staging(bf16 *buffer, int64_t count, bool result)
    : target(result ? buffer : nullptr), values(static_cast<size_t>(count)) {
  if (!result)
    widen(buffer, values.data(), count);
}

void Bf16Staging::store() const {
  if (target)
    narrow(values.data(), target, static_cast<int64_t>(values.size()));
}

bool reportNonFinite(const void *data, int64_t count, bool bf16,
                     const char *what, char *error, size_t errorSize) {
  auto at = [&](int64_t i) {
    if (!bf16)
      return static_cast<const float *>(data)[i];
    const uint32_t bits =
        static_cast<uint32_t>(static_cast<const uint16_t *>(data)[i]) << 16;
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  };
  for (int64_t i = 0; i < count; ++i) {
    const float value = at(i);
    if (std::isfinite(value))
      continue;
    std::snprintf(error, errorSize, "%s holds %s at element %lld of %lld", what,
                  std::isnan(value) ? "NaN"
                  : value > 0       ? "Inf"
                                    : "-Inf",
                  static_cast<long long>(i), static_cast<long long>(count));
    return true;
  }
  return false;
}

} // namespace clip::cpu
