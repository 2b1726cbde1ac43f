//===- KernelTestHarness.h - Shared helpers of the kernel library tests ---===//
//
// What the kernel tests share: the CPU kernels against the reference
// evaluator (test/unit/CpuKernelsTest.cpp) and the CUDA device kernels,
// emulated, against the CPU kernels (test/unit/cuda). Random inputs with
// fixed seeds, the relative L2 error of a whole result, the comparison that
// records the worst error of each test (printed after all tests), and the
// convolution/pooling geometry builders. Header-only, no MLIR.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_TEST_UNIT_KERNELTESTHARNESS_H
#define CLIP_TEST_UNIT_KERNELTESTHARNESS_H

#include "runtime/kernels/KernelAbi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace clip::test {

/// The relative L2 bound of every kernel comparison: the kernels compute in
/// f32 with the same formulas (and double accumulations) as what they are
/// compared with, and differ in summation order and exp/erf
/// implementations, which move a result by a few ulps (f32 epsilon 6e-8)
/// times sqrt(terms). A wrong index, mask, barrier or formula gives errors
/// of order 1e-2..1. (1e-5 is also the end-to-end bound of the CPU training
/// step.)
inline constexpr double kTolerance = 1e-5;

/// `count` floats uniform in [lo, hi) from std::mt19937(seed).
inline std::vector<float> random(int64_t count, unsigned seed, float lo = -1.0f,
                                 float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(count));
  for (float &x : v)
    x = dist(gen);
  return v;
}

/// `count` indices uniform in [0, bound). T: int64_t for clip::cpu, long
/// long for the device kernels.
template <typename T = int64_t>
std::vector<T> randomIndices(int64_t count, int64_t bound, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<T> dist(0, static_cast<T>(bound - 1));
  std::vector<T> v(static_cast<size_t>(count));
  for (T &x : v)
    x = dist(gen);
  return v;
}

/// ||ours - want|| / ||want|| (absolute when want is all zeros); `want` is
/// float or double. Elements equal in both (NaNs and infinities included)
/// count as exact; a NaN or infinity on one side only makes the error
/// infinite.
template <typename T>
double relativeError(const float *ours, const T *want, size_t count) {
  double diff = 0.0, norm = 0.0;
  for (size_t i = 0; i < count; ++i) {
    const double a = static_cast<double>(ours[i]);
    const double b = static_cast<double>(want[i]);
    if ((std::isnan(a) && std::isnan(b)) || (std::isinf(b) && a == b))
      continue;
    if (!std::isfinite(a) || !std::isfinite(b))
      return std::numeric_limits<double>::infinity();
    const double d = a - b;
    diff += d * d;
    norm += b * b;
  }
  return norm > 0.0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

/// The largest relative error each test saw.
inline std::map<std::string, double> &maxErrors() {
  static std::map<std::string, double> errors;
  return errors;
}

/// Prints maxErrors() after all tests (registered once per executable).
class ErrorReport : public ::testing::Environment {
public:
  void TearDown() override {
    if (maxErrors().empty())
      return;
    std::printf("Kernel tests: max relative L2 error per test\n");
    for (const auto &[name, error] : maxErrors())
      std::printf("  %-48s %.3e\n", name.c_str(), error);
  }
};
inline ::testing::Environment *const kErrorReport =
    ::testing::AddGlobalTestEnvironment(new ErrorReport);

/// "Suite.Test" of the running test.
inline std::string currentTest() {
  const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

/// Checks `ours` against `want` (`count` elements each) and records the
/// error for the report.
template <typename T>
void expectClose(const std::string &what, const float *ours, const T *want,
                 size_t count, double tolerance = kTolerance) {
  const double error = relativeError(ours, want, count);
  double &worst = maxErrors()[currentTest()];
  worst = std::max(worst, error);
  EXPECT_LE(error, tolerance) << what;
}
template <typename T>
void expectClose(const std::string &what, const std::vector<float> &ours,
                 const std::vector<T> &want, double tolerance = kTolerance) {
  ASSERT_EQ(ours.size(), want.size()) << what;
  expectClose(what, ours.data(), want.data(), ours.size(), tolerance);
}
inline void expectClose(const std::string &what, float ours, float want,
                        double tolerance = kTolerance) {
  expectClose(what, &ours, &want, 1, tolerance);
}

/// The geometry of a convolution of x [n, c, h, w] by a kh x kw kernel
/// (outHeight/outWidth computed).
inline kernels::Conv2DShape convShape(int64_t n, int64_t c, int64_t h,
                                      int64_t w, int64_t oc, int64_t kh,
                                      int64_t kw, int64_t sh, int64_t sw,
                                      int64_t ph, int64_t pw, int64_t dh,
                                      int64_t dw, int64_t groups) {
  kernels::Conv2DShape s;
  s.n = n;
  s.channels = c;
  s.height = h;
  s.width = w;
  s.outChannels = oc;
  s.kernelH = kh;
  s.kernelW = kw;
  s.strideH = sh;
  s.strideW = sw;
  s.padH = ph;
  s.padW = pw;
  s.dilationH = dh;
  s.dilationW = dw;
  s.groups = groups;
  s.outHeight = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
  s.outWidth = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
  return s;
}

inline std::string describe(const kernels::Conv2DShape &s) {
  char buffer[200];
  std::snprintf(buffer, sizeof(buffer),
                "n %ld c %ld %ldx%ld oc %ld k %ldx%ld s %ldx%ld p %ldx%ld d "
                "%ldx%ld g %ld",
                (long)s.n, (long)s.channels, (long)s.height, (long)s.width,
                (long)s.outChannels, (long)s.kernelH, (long)s.kernelW,
                (long)s.strideH, (long)s.strideW, (long)s.padH, (long)s.padW,
                (long)s.dilationH, (long)s.dilationW, (long)s.groups);
  return buffer;
}

/// The geometry of average pooling of `planes` h x w planes (outHeight/
/// outWidth computed).
inline kernels::Pool2DShape poolShape(int64_t planes, int64_t h, int64_t w,
                                      int64_t kh, int64_t kw, int64_t sh,
                                      int64_t sw, int64_t ph, int64_t pw) {
  kernels::Pool2DShape s;
  s.planes = planes;
  s.height = h;
  s.width = w;
  s.kernelH = kh;
  s.kernelW = kw;
  s.strideH = sh;
  s.strideW = sw;
  s.padH = ph;
  s.padW = pw;
  s.outHeight = (h + 2 * ph - kh) / sh + 1;
  s.outWidth = (w + 2 * pw - kw) / sw + 1;
  return s;
}

} // namespace clip::test

#endif // CLIP_TEST_UNIT_KERNELTESTHARNESS_H
