// A BLAS that is wrong on one GEMM class, for clip-run-blas-check.mlir:
// LD_PRELOAD'ed, it calls OpenBLAS's cblas_sgemm (the libopenblas.so.0 that
// clip.so loads, opened by soname: RTLD_NEXT cannot see a library dlopen'ed
// RTLD_LOCAL) and spoils
// one element of every transposed x transposed product, unless
// OPENBLAS_CORETYPE is Haswell (as a kernel bug of one core type would) or
// WRONG_SGEMM_ALWAYS is set (as a bug of the whole build would).
#include <cblas.h>
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

using Sgemm = void (*)(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint,
                       blasint, blasint, float, const float *, blasint,
                       const float *, blasint, float, float *, blasint);

extern "C" void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta,
                            CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                            float alpha, const float *a, blasint lda,
                            const float *b, blasint ldb, float beta, float *c,
                            blasint ldc) {
  static const Sgemm real = reinterpret_cast<Sgemm>(
      dlsym(dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL), "cblas_sgemm"));
  if (!real)
    std::abort();
  real(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  const char *core = std::getenv("OPENBLAS_CORETYPE");
  const bool wrong = std::getenv("WRONG_SGEMM_ALWAYS") || !core ||
                     std::strcmp(core, "Haswell") != 0;
  if (wrong && ta == CblasTrans && tb == CblasTrans && m > 0 && n > 0)
    c[0] += 1.0f;
}
