//===- GemmShapeClassesTest.cpp - Every GEMM class the models issue -------===//
//
// OpenBLAS picks its sgemm kernels per CPU, so a GEMM that is right here can
// be wrong on another machine. CMake runs this test once per OpenBLAS core
// type this build holds and this CPU can execute (OPENBLAS_CORETYPE=Haswell,
// SkylakeX, Cooperlake, Zen, ...), so a wrong kernel fails here on any
// machine that can run it, not only on the CPU that picks it.
//
// Two levels: the raw sgemm classes of GemmCheck.h (transposes, beta, odd
// leading dimensions, OpenBLAS's small, direct and packed paths), and
// clip::cpu::gemm / conv2d at the sizes RN50's and the ViTs' layers use
// (batched, broadcast batch, attention, im2col), each against this file's
// own double-precision loop.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/CpuKernels.h"
#include "runtime/cpu/GemmCheck.h"
#include "test/unit/cpu/OpenBlasCore.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace cpu = clip::cpu;

namespace {

/// Skips unless OpenBLAS runs the core type CMake asked for.
class GemmShapeClasses : public ::testing::Test {
protected:
  void SetUp() override {
    const std::string reason = clip::test::openBlasCoreSkipReason();
    if (!reason.empty())
      GTEST_SKIP() << reason;
  }
};

std::vector<float> randomVector(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float &x : v)
    x = dist(rng);
  return v;
}

/// max over C of |ours - exact| / sum_k |a b| for a batched, row-major
/// product given by element accessors.
template <typename A, typename B>
double worstError(int64_t batch, int64_t m, int64_t n, int64_t k, A a, B b,
                  const std::vector<float> &c) {
  double worst = 0.0;
  for (int64_t e = 0; e < batch; ++e)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double exact = 0.0, scale = 0.0;
        for (int64_t p = 0; p < k; ++p) {
          const double t = double(a(e, i, p)) * double(b(e, p, j));
          exact += t;
          scale += std::fabs(t);
        }
        const double err = std::fabs(c[(e * m + i) * n + j] - exact) /
                           (scale > 0 ? scale : 1.0);
        worst = std::isnan(err) ? INFINITY : std::max(worst, err);
      }
  return worst;
}

TEST_F(GemmShapeClasses, RawSgemmClasses) {
  const auto cases = cpu::gemmShapeClasses();
  double worst = 0.0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const double err = cpu::gemmError(cases[i], static_cast<uint32_t>(i));
    worst = std::max(worst, err);
    EXPECT_LE(err, cpu::kGemmErrorBound) << cases[i].describe();
  }
  std::printf("OpenBLAS %s: %zu raw classes, worst %.3g\n",
              cpu::blasCoreName().c_str(), cases.size(), worst);
}

TEST_F(GemmShapeClasses, SelfCheckPassesQuickly) {
  char error[512] = {0};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(cpu::selfCheck(error, sizeof error), 0) << error;
  std::printf("selfCheck: %.1f ms\n",
              std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count());
}

struct ModelGemm {
  const char *what;
  int64_t batch, m, n, k;
  bool ta, tb, broadcastB;
};

/// clip::cpu::gemm as the generated code calls it, at the models' sizes
/// (ViT-B/16 at 224: 197 tokens, width 768, 12 heads of 64; batch 1 for
/// the projections, 2 for attention).
TEST_F(GemmShapeClasses, ModelLayers) {
  const ModelGemm gemms[] = {
      {"ViT qkv projection", 1, 197, 2304, 768, false, true, false},
      {"ViT MLP down, dX", 1, 197, 768, 3072, false, false, false},
      {"ViT dW", 1, 768, 768, 197, true, false, false},
      {"attention scores", 24, 197, 197, 64, false, true, false},
      {"attention P V", 24, 197, 64, 197, false, false, false},
      {"attention dQ", 24, 197, 64, 197, false, false, false},
      {"attention dK", 24, 197, 64, 197, true, false, false},
      {"shared weight, collapsed batch", 4, 50, 64, 96, false, false, true},
      {"shared weight, transposed A", 4, 50, 64, 96, true, false, true},
      {"text tower (77 tokens)", 1, 154, 512, 512, false, true, false},
      {"contrastive logits", 1, 256, 256, 512, false, true, false},
      {"odd sizes", 3, 17, 33, 65, true, true, false},
  };
  for (const ModelGemm &g : gemms) {
    const int64_t aSize = g.m * g.k, bSize = g.k * g.n;
    const auto a = randomVector(g.batch * aSize, 1);
    const auto b = randomVector((g.broadcastB ? 1 : g.batch) * bSize, 2);
    std::vector<float> c(g.batch * g.m * g.n, NAN);
    cpu::GemmArgs args;
    args.batch = g.batch;
    args.m = g.m;
    args.n = g.n;
    args.k = g.k;
    args.transposeA = g.ta;
    args.transposeB = g.tb;
    args.a = a.data();
    args.strideA = aSize;
    args.b = b.data();
    args.strideB = g.broadcastB ? 0 : bSize;
    args.c = c.data();
    args.strideC = g.m * g.n;
    cpu::gemm(args);
    auto at = [&](int64_t e, int64_t i, int64_t p) {
      return a[e * aSize + (g.ta ? p * g.m + i : i * g.k + p)];
    };
    auto bt = [&](int64_t e, int64_t p, int64_t j) {
      return b[(g.broadcastB ? 0 : e) * bSize +
               (g.tb ? j * g.k + p : p * g.n + j)];
    };
    const double err = worstError(g.batch, g.m, g.n, g.k, at, bt, c);
    EXPECT_LE(err, cpu::kGemmErrorBound) << g.what;
    std::printf("  %-32s %.3g\n", g.what, err);
  }
}

/// RN50's convolutions (im2col + the three GEMMs of forward, dW and dX) at
/// its layers' channel counts (one image at layer1's 56x56 for the 1x1, at
/// 28x28 for the 3x3s of the stem and layer1 to keep the reference loop
/// short; layer3 and layer4 at their own 14 and 7), against a direct
/// double-precision convolution.
TEST_F(GemmShapeClasses, Rn50Convolutions) {
  struct Conv {
    const char *what;
    int64_t c, h, o, kernel;
  };
  const Conv convs[] = {{"stem 3x3 3->32", 3, 28, 32, 3},
                        {"layer1 3x3 64->64", 64, 28, 64, 3},
                        {"layer1 1x1 64->256", 64, 56, 256, 1},
                        {"layer3 3x3 256->256", 256, 14, 256, 3},
                        {"layer4 3x3 512->512", 512, 7, 512, 3}};
  for (const Conv &v : convs) {
    cpu::Conv2DShape s;
    s.n = 1;
    s.channels = v.c;
    s.height = s.width = v.h;
    s.outChannels = v.o;
    s.kernelH = s.kernelW = v.kernel;
    s.padH = s.padW = v.kernel / 2;
    s.outHeight = s.outWidth = v.h;
    const int64_t plane = v.h * v.h, taps = v.c * v.kernel * v.kernel;
    const auto x = randomVector(v.c * plane, 3);
    const auto w = randomVector(v.o * taps, 4);
    const auto grad = randomVector(v.o * plane, 5);
    std::vector<float> out(v.o * plane), dx(v.c * plane), dw(v.o * taps);
    cpu::conv2d(s, x.data(), w.data(), nullptr, out.data());
    cpu::conv2dGrad(s, grad.data(), x.data(), w.data(), dx.data(), dw.data());
    // The convolution as GEMMs of accessors: out = W col, dW = grad col^T,
    // dcol = W^T grad (dx sums dcol over the taps reading each input).
    auto col = [&](int64_t, int64_t r, int64_t q) -> float {
      const int64_t ch = r / (v.kernel * v.kernel), i = r / v.kernel % v.kernel,
                    j = r % v.kernel;
      const int64_t y = q / v.h + i - v.kernel / 2,
                    xx = q % v.h + j - v.kernel / 2;
      return y < 0 || y >= v.h || xx < 0 || xx >= v.h
                 ? 0.0f
                 : x[ch * plane + y * v.h + xx];
    };
    const double forward = worstError(
        1, v.o, plane, taps,
        [&](int64_t, int64_t o, int64_t r) { return w[o * taps + r]; }, col,
        out);
    const double weight = worstError(
        1, v.o, taps, plane,
        [&](int64_t, int64_t o, int64_t q) { return grad[o * plane + q]; },
        [&](int64_t e, int64_t q, int64_t r) { return col(e, r, q); }, dw);
    // dx[ch, y, x] = sum over (o, i, j) of w[o, ch, i, j] grad[o, y - i + p, x
    // - j + p].
    const int64_t reach = v.o * v.kernel * v.kernel;
    const double input = worstError(
        1, v.c, plane, reach,
        [&](int64_t, int64_t ch, int64_t t) {
          const int64_t o = t / (v.kernel * v.kernel),
                        ij = t % (v.kernel * v.kernel);
          return w[(o * v.c + ch) * v.kernel * v.kernel + ij];
        },
        [&](int64_t, int64_t t, int64_t q) -> float {
          const int64_t o = t / (v.kernel * v.kernel),
                        i = t / v.kernel % v.kernel, j = t % v.kernel;
          const int64_t y = q / v.h - i + v.kernel / 2,
                        xx = q % v.h - j + v.kernel / 2;
          return y < 0 || y >= v.h || xx < 0 || xx >= v.h
                     ? 0.0f
                     : grad[o * plane + y * v.h + xx];
        },
        dx);
    EXPECT_LE(forward, cpu::kGemmErrorBound) << v.what << " forward";
    EXPECT_LE(weight, cpu::kGemmErrorBound) << v.what << " dW";
    EXPECT_LE(input, cpu::kGemmErrorBound) << v.what << " dX";
    std::printf("  %-24s forward %.3g, dW %.3g, dX %.3g\n", v.what, forward,
                weight, input);
  }
}

} // namespace
