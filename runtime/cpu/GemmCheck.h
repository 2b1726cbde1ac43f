//===- GemmCheck.h - The GEMM shape classes the kernels issue -------------===//
//
// The CPU kernels get every product from OpenBLAS's sgemm, whose kernels
// differ by CPU (OpenBLAS picks them at load time: AVX-512 ones on Intel
// Skylake-X and later and on AMD Zen 4 and later, AVX2 ones elsewhere).
// These are the classes of calls the kernels make (transposes, beta, padded
// leading dimensions, sizes that take OpenBLAS's small-matrix, direct and
// packed paths), checked against a double-precision loop: at start-up by
// selfCheck (CpuKernels.h), and under every OpenBLAS core type by the tests.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CPU_GEMMCHECK_H
#define CLIP_RUNTIME_CPU_GEMMCHECK_H

#include <cstdint>
#include <string>
#include <vector>

namespace clip::cpu {

/// Row-major C = alpha op(A) op(B) + beta C; each leading dimension is the
/// dense one plus `pad`.
struct GemmCase {
  bool transA = false, transB = false;
  int64_t m = 0, n = 0, k = 0, pad = 0;
  float alpha = 1.0f, beta = 0.0f;
  std::string describe() const;
};

/// A few cases per class, small enough to check in a few milliseconds.
std::vector<GemmCase> gemmShapeClasses();

/// The worst error of one sgemm call (the library's, as the kernels make
/// it) on seeded data in [-1, 1]: max over C of
/// |ours - exact| / (|beta c| + sum_k |a b|), the error bound's own scale,
/// so a correct f32 GEMM stays near k * 2^-24 at worst and a wrong or
/// dropped term shows as 1/k or more.
double gemmError(const GemmCase &c, uint32_t seed);

/// What selfCheck and the tests require of gemmError: 1e-5, about 30x the
/// worst measured under any core type (3.0e-7, RN50 layer4's dW) and 30x
/// below one dropped term at the largest k the tests check (3072).
constexpr double kGemmErrorBound = 1e-5;

/// OpenBLAS's name for the kernels it picked ("Haswell", "SkylakeX", ...).
std::string blasCoreName();

} // namespace clip::cpu

#endif // CLIP_RUNTIME_CPU_GEMMCHECK_H
