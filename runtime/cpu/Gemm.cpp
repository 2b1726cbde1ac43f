//===- Gemm.cpp - clip.gemm: batched sgemm with a fused epilogue ----------===//
//
// The product goes through cblas_sgemm; the epilogue (bias, activation,
// residual) is one pass over each block of C right after the thread that
// computed the block, while it is still in cache. Batches are spread over
// threads one GEMM each when there are enough of them; otherwise each GEMM
// is split over the threads by blocks of C (parallelSgemm). A batch that is
// one matrix times a shared right-hand side collapses into a single tall
// GEMM.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/CpuInternal.h"
#include "runtime/cpu/CpuKernels.h"
#include "runtime/kernels/ScalarMath.h"

#include <memory>

namespace clip::cpu {

namespace {

/// Where the epilogue reads and writes: element (i, j) of batch entry `b` is
/// at `base + b * batchStride + i * n + j` for the product, the output and
/// the residual (laid out as the output).
struct Epilogue {
  int64_t n = 0;
  const float *product = nullptr;
  int64_t productStride = 0;
  float *c = nullptr;
  int64_t cStride = 0;
  const float *bias = nullptr;
  const float *residual = nullptr;
  int activation = 0;

  bool needed() const {
    return bias || residual || activation != 0 || product != c;
  }
};

template <bool Bias, int Act, bool Residual>
void epilogueBlock(const Epilogue &e, int64_t b, int64_t r0, int64_t r1,
                   int64_t c0, int64_t c1) {
  const int64_t n = e.n;
  for (int64_t i = r0; i < r1; ++i) {
    const float *p = e.product + b * e.productStride + i * n;
    float *c = e.c + b * e.cStride + i * n;
    const float *res = Residual ? e.residual + b * e.cStride + i * n : nullptr;
    for (int64_t j = c0; j < c1; ++j) {
      float t = p[j];
      if (Bias)
        t += e.bias[j];
      if (Act != 0)
        t = scalar::activate(Act, t);
      if (Residual)
        t += res[j];
      c[j] = t;
    }
  }
}

template <bool Bias, bool Residual>
void epilogueAct(const Epilogue &e, int64_t b, int64_t r0, int64_t r1,
                 int64_t c0, int64_t c1) {
  switch (e.activation) {
  case 1:
    return epilogueBlock<Bias, 1, Residual>(e, b, r0, r1, c0, c1);
  case 2:
    return epilogueBlock<Bias, 2, Residual>(e, b, r0, r1, c0, c1);
  case 3:
    return epilogueBlock<Bias, 3, Residual>(e, b, r0, r1, c0, c1);
  default:
    return epilogueBlock<Bias, 0, Residual>(e, b, r0, r1, c0, c1);
  }
}

/// The epilogue on rows [r0, r1) x columns [c0, c1) of batch entry `b`.
void runEpilogue(const Epilogue &e, int64_t b, int64_t r0, int64_t r1,
                 int64_t c0, int64_t c1) {
  if (!e.needed())
    return;
  if (e.bias)
    e.residual ? epilogueAct<true, true>(e, b, r0, r1, c0, c1)
               : epilogueAct<true, false>(e, b, r0, r1, c0, c1);
  else
    e.residual ? epilogueAct<false, true>(e, b, r0, r1, c0, c1)
               : epilogueAct<false, false>(e, b, r0, r1, c0, c1);
}

} // namespace

void gemm(const GemmArgs &args) {
  GemmArgs g = args;
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0)
    return;
  // One tall GEMM: consecutive A[b] (M x K, not transposed) and C[b] form
  // one (batch * M) x K and (batch * M) x N matrix against a shared B.
  if (g.batch > 1 && !g.transposeA && g.strideB == 0 &&
      g.strideA == g.m * g.k && g.strideC == g.m * g.n) {
    g.m *= g.batch;
    g.batch = 1;
  }
  if (g.batch == 1)
    g.strideA = g.strideB = g.strideC = 0;

  // residual == c: without an activation, accumulate with beta = 1 (the
  // residual is C's old value); with one, the product needs its own buffer.
  const bool inPlace = g.residual && g.residual == g.c;
  const bool beta1 = inPlace && g.activation == Activation::None;
  std::unique_ptr<float[]> temp;
  Epilogue e;
  e.n = g.n;
  e.c = g.c;
  e.cStride = g.strideC;
  e.bias = g.bias;
  e.activation = static_cast<int>(g.activation);
  e.residual = beta1 ? nullptr : g.residual;
  e.product = g.c;
  e.productStride = g.strideC;
  if (inPlace && !beta1) {
    temp.reset(new float[g.batch * g.m * g.n]);
    e.product = temp.get();
    e.productStride = g.m * g.n;
  }
  const float beta = beta1 ? 1.0f : 0.0f;
  const int64_t lda = g.transposeA ? g.m : g.k, ldb = g.transposeB ? g.k : g.n;
  float *product = const_cast<float *>(e.product);

  if (detail::batchParallel(g.batch)) {
    // Many independent GEMMs: one per thread at a time, each followed by its
    // epilogue while C is in cache.
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < g.batch; ++b) {
      detail::sgemm(g.transposeA, g.transposeB, g.m, g.n, g.k, 1.0f,
                    g.a + b * g.strideA, lda, g.b + b * g.strideB, ldb, beta,
                    product + b * e.productStride, g.n);
      runEpilogue(e, b, 0, g.m, 0, g.n);
    }
    return;
  }
  for (int64_t b = 0; b < g.batch; ++b)
    detail::parallelSgemm(g.transposeA, g.transposeB, g.m, g.n, g.k, 1.0f,
                          g.a + b * g.strideA, lda, g.b + b * g.strideB, ldb,
                          beta, product + b * e.productStride, g.n,
                          [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
                            runEpilogue(e, b, r0, r1, c0, c1);
                          });
}

} // namespace clip::cpu
