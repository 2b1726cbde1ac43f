//===- GemmCheck.cpp - sgemm against a double-precision loop --------------===//

#include "runtime/cpu/GemmCheck.h"
#include "runtime/cpu/CpuInternal.h"
#include "runtime/cpu/CpuKernels.h"

#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <tuple>

namespace clip::cpu {

std::string GemmCase::describe() const {
  char text[160];
  std::snprintf(text, sizeof text,
                "%c%c M=%lld N=%lld K=%lld, leading dims +%lld, alpha %g, "
                "beta %g",
                transA ? 'T' : 'N', transB ? 'T' : 'N',
                static_cast<long long>(m), static_cast<long long>(n),
                static_cast<long long>(k), static_cast<long long>(pad),
                static_cast<double>(alpha), static_cast<double>(beta));
  return text;
}

std::vector<GemmCase> gemmShapeClasses() {
  std::vector<GemmCase> cases;
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    // Tiny (OpenBLAS's small-matrix kernels), odd sizes around the register
    // tiles, a direct-path size (NN, beta 0, alpha 1, small M N K) and one
    // over several K blocks (packed path, K > 256).
    for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1},
                           {3, 5, 7},
                           {17, 33, 15},
                           {64, 36, 27},
                           {70, 49, 64}})
      for (float beta : {0.0f, 1.0f})
        for (int64_t pad : {int64_t(0), int64_t(3)})
          cases.push_back({ta, tb, m, n, k, pad, 1.0f, beta});
    cases.push_back({ta, tb, 130, 66, 300, 0, 1.0f, 0.0f});
    cases.push_back({ta, tb, 130, 66, 300, 3, 1.0f, 1.0f});
    cases.push_back({ta, tb, 50, 50, 32, 1, 0.125f, 0.0f}); // attention's scale
  }
  return cases;
}

double gemmError(const GemmCase &g, uint32_t seed) {
  const int64_t lda = (g.transA ? g.m : g.k) + g.pad;
  const int64_t ldb = (g.transB ? g.k : g.n) + g.pad;
  const int64_t ldc = g.n + g.pad;
  const int64_t aRows = g.transA ? g.k : g.m, bRows = g.transB ? g.n : g.k;
  std::vector<float> a(aRows * lda), b(bRows * ldb), c(g.m * ldc);
  uint32_t state = seed * 2654435761u + 1;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return static_cast<float>(state >> 8) * (2.0f / 16777216.0f) - 1.0f;
  };
  for (float &x : a)
    x = next();
  for (float &x : b)
    x = next();
  for (float &x : c)
    x = next();
  const std::vector<float> before = c;
  detail::sgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a.data(), lda,
                b.data(), ldb, g.beta, c.data(), ldc);
  double worst = 0.0;
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) {
      const double old =
          g.beta == 0.0f ? 0.0 : double(g.beta) * before[i * ldc + j];
      double exact = old, scale = std::fabs(old);
      for (int64_t p = 0; p < g.k; ++p) {
        const double term = double(g.alpha) *
                            (g.transA ? a[p * lda + i] : a[i * lda + p]) *
                            (g.transB ? b[j * ldb + p] : b[p * ldb + j]);
        exact += term;
        scale += std::fabs(term);
      }
      const double error =
          std::fabs(c[i * ldc + j] - exact) / (scale > 0.0 ? scale : 1.0);
      // NaN (garbage in C) counts as the worst error.
      worst = std::isnan(error) ? INFINITY : std::max(worst, error);
    }
  // The padding of C must be untouched.
  for (int64_t i = 0; i < g.m; ++i)
    if (std::memcmp(&c[i * ldc + g.n], &before[i * ldc + g.n],
                    sizeof(float) * (ldc - g.n)) != 0)
      return INFINITY;
  return worst;
}

std::string blasCoreName() {
  const char *name = openblas_get_corename();
  return name ? name : "unknown";
}

int32_t selfCheck(char *error, size_t errorSize) {
  const std::vector<GemmCase> cases = gemmShapeClasses();
  for (size_t i = 0; i < cases.size(); ++i) {
    const double worst = gemmError(cases[i], static_cast<uint32_t>(i));
    if (!(worst <= kGemmErrorBound)) {
      std::snprintf(error, errorSize,
                    "OpenBLAS's sgemm (%s kernels) is wrong on this CPU: %s "
                    "is off by %.3g relative to its terms (bound %.0e)",
                    blasCoreName().c_str(), cases[i].describe().c_str(), worst,
                    kGemmErrorBound);
      return 1;
    }
  }
  return 0;
}

} // namespace clip::cpu
