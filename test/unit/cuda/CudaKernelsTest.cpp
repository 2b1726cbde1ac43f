//===- CudaKernelsTest.cpp - The CUDA device kernels, emulated on the CPU --===//
//
// Every function of runtime/cuda/CudaKernels.cuh runs on the CPU under
// runtime/cuda/HostEmulation.h (blocks in turn, a block's threads as
// std::threads) on random f32 inputs with fixed seeds, and is compared with
// the CPU kernel library (runtime/cpu/CpuKernels.h) by the relative L2
// error ||device - cpu|| / ||cpu|| over each whole result. Each case runs
// under several launch shapes: block sizes 1, 7, 32 (and 256 where cheap)
// with grids of 1 to 3 blocks, so grid-stride loops, block reductions over
// non-power-of-two blocks and chunked loops are all taken (and the block
// reductions alone run for every block size up to 40 and others to 256).
// Outputs are poisoned with NaN before each launch: an element a kernel
// forgets to write fails the comparison.
//
// Bound: 1e-5. Both sides compute in f32 with the same formulas (and the
// same double accumulations); they differ only in summation order (block
// tree or chunked sums here, sequential or BLAS-blocked sums on the CPU)
// and in the exp/erf implementations, which move a result by a few units in
// the last place (f32 epsilon 6e-8) times sqrt(terms): the errors seen are
// 1e-8..1e-6. A wrong index, mask, barrier or formula gives errors of order
// 1e-2..1. (1e-5 is also the end-to-end bound of the CPU training step.)
// Integer results (argmax, gathers of i64, copies, error words) must match
// exactly.
//
// Also: the header compiles with NVRTC for sm_90 with an empty log (skipped
// when libnvrtc cannot be loaded).
//
//===----------------------------------------------------------------------===//

#include "runtime/kernels/ScalarMath.h"
// ScalarMath.h first, as in the generated CUDA unit.
#include "runtime/cuda/HostEmulation.h"
#include "runtime/cuda/CudaKernels.cuh"

#include "runtime/cpu/CpuKernels.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace cu = clip::cuda;
namespace cpu = clip::cpu;
using clip::cuda::emulation::launch;
using i64 = long long;

namespace {

constexpr double kTolerance = 1e-5;
const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

//===----------------------------------------------------------------------===//
// Helpers.
//===----------------------------------------------------------------------===//

/// Launch shapes every case runs under: {grid, block}.
struct Launch {
  unsigned grid, block;
};
const std::vector<Launch> kLaunches = {{1, 1}, {3, 1}, {2, 7}, {3, 32}};
/// The same plus a full 256-thread block (slow under emulation: for the
/// small cases only).
std::vector<Launch> withWide() {
  std::vector<Launch> all = kLaunches;
  all.push_back({2, 256});
  return all;
}

std::string describe(const Launch &l) {
  return "grid " + std::to_string(l.grid) + " block " +
         std::to_string(l.block);
}

/// The largest relative error each test saw, printed after all tests.
std::map<std::string, double> &maxErrors() {
  static std::map<std::string, double> errors;
  return errors;
}

class ReportErrors : public ::testing::Environment {
public:
  void TearDown() override {
    if (maxErrors().empty())
      return;
    std::printf("CudaKernels (emulated): max relative L2 error per test\n");
    for (const auto &[name, error] : maxErrors())
      std::printf("  %-48s %.3e\n", name.c_str(), error);
  }
};
[[maybe_unused]] const auto *const kReporter =
    ::testing::AddGlobalTestEnvironment(new ReportErrors);

std::string currentTest() {
  const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

std::vector<float> random(i64 count, unsigned seed, float lo = -1.0f,
                          float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(count));
  for (float &x : v)
    x = dist(gen);
  return v;
}

std::vector<long long> randomIndices(i64 count, i64 bound, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<long long> dist(0, bound - 1);
  std::vector<long long> v(static_cast<size_t>(count));
  for (long long &x : v)
    x = dist(gen);
  return v;
}

/// clip::cpu takes int64_t (long) pointers, the device long long ones.
const int64_t *asCpu(const long long *p) {
  return reinterpret_cast<const int64_t *>(p);
}
int64_t *asCpu(long long *p) { return reinterpret_cast<int64_t *>(p); }

/// ||ours - want|| / ||want|| (absolute when want is all zeros). Elements
/// equal in both (NaNs and infinities included) count as exact; a NaN or
/// infinity on one side only makes the error infinite.
double relativeError(const float *ours, const float *want, size_t count) {
  double diff = 0.0, norm = 0.0;
  for (size_t i = 0; i < count; ++i) {
    const float a = ours[i], b = want[i];
    if ((std::isnan(a) && std::isnan(b)) || (std::isinf(b) && a == b))
      continue;
    if (!std::isfinite(a) || !std::isfinite(b))
      return std::numeric_limits<double>::infinity();
    const double d = static_cast<double>(a) - static_cast<double>(b);
    diff += d * d;
    norm += static_cast<double>(b) * static_cast<double>(b);
  }
  return norm > 0.0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

/// Checks `ours` against `want` and records the error for the report.
void expectClose(const std::string &what, const std::vector<float> &ours,
                 const std::vector<float> &want) {
  ASSERT_EQ(ours.size(), want.size()) << what;
  const double error = relativeError(ours.data(), want.data(), ours.size());
  double &worst = maxErrors()[currentTest()];
  worst = std::max(worst, error);
  EXPECT_LE(error, kTolerance) << what;
}
void expectClose(const std::string &what, float ours, float want) {
  expectClose(what, std::vector<float>{ours}, std::vector<float>{want});
}

std::vector<float> poisoned(i64 count) {
  return std::vector<float>(static_cast<size_t>(count), kNan);
}

//===----------------------------------------------------------------------===//
// GEMM epilogue.
//===----------------------------------------------------------------------===//

TEST(CudaKernelsGemmEpilogue, MatchesCpuGemm) {
  const i64 m = 7, n = 13, k = 5;
  auto a = random(m * k, 1), b = random(k * n, 2, -2.0f, 2.0f),
       bias = random(n, 3), residual = random(m * n, 4);
  // The product with its bias (what cuBLASLt leaves in C).
  std::vector<float> product(m * n);
  cpu::GemmArgs args;
  args.m = m;
  args.n = n;
  args.k = k;
  args.a = a.data();
  args.b = b.data();
  args.c = product.data();
  args.bias = bias.data();
  cpu::gemm(args);
  for (int act = 0; act <= 3; ++act)
    for (bool withResidual : {false, true}) {
      std::vector<float> want(m * n);
      args.c = want.data();
      args.activation = static_cast<cpu::Activation>(act);
      args.residual = withResidual ? residual.data() : nullptr;
      cpu::gemm(args);
      for (const Launch &l : kLaunches) {
        std::vector<float> c = product;
        launch(l.grid, l.block, [&] {
          cu::gemmEpilogue(m * n, act, withResidual ? residual.data() : nullptr,
                           c.data());
        });
        expectClose("act " + std::to_string(act) + " residual " +
                        std::to_string(withResidual) + " " + describe(l),
                    c, want);
      }
    }
}

//===----------------------------------------------------------------------===//
// LayerNorm.
//===----------------------------------------------------------------------===//

struct RowsCols {
  i64 rows, cols;
};

TEST(CudaKernelsLayerNorm, Forward) {
  for (const RowsCols &shape :
       std::vector<RowsCols>{{5, 7}, {3, 300}, {1, 1}, {4, 33}}) {
    const i64 rows = shape.rows, cols = shape.cols, count = rows * cols;
    auto x = random(count, 10, -2.0f, 3.0f), residual = random(count, 11),
         weight = random(cols, 12), bias = random(cols, 13);
    const float eps = 1e-5f;
    for (bool withResidual : {false, true}) {
      std::vector<float> stream(count), out(count), mean(rows), rstd(rows);
      cpu::layerNorm(rows, cols, x.data(),
                     withResidual ? residual.data() : nullptr, stream.data(),
                     weight.data(), bias.data(), eps, out.data(), mean.data(),
                     rstd.data());
      for (const Launch &l : rows * cols <= 40 ? withWide() : kLaunches) {
        auto dStream = poisoned(count), dOut = poisoned(count),
             dMean = poisoned(rows), dRstd = poisoned(rows);
        launch(l.grid, l.block, [&] {
          cu::layerNormForward(rows, cols, x.data(),
                               withResidual ? residual.data() : nullptr,
                               dStream.data(), weight.data(), bias.data(), eps,
                               dOut.data(), dMean.data(), dRstd.data());
        });
        const std::string what = std::to_string(rows) + "x" +
                                 std::to_string(cols) + " residual " +
                                 std::to_string(withResidual) + " " +
                                 describe(l);
        expectClose("out " + what, dOut, out);
        expectClose("mean " + what, dMean, mean);
        expectClose("rstd " + what, dRstd, rstd);
        if (withResidual)
          expectClose("stream " + what, dStream, stream);
      }
    }
  }
}

TEST(CudaKernelsLayerNorm, Backward) {
  for (const RowsCols &shape :
       std::vector<RowsCols>{{6, 9}, {37, 5}, {2, 300}, {70, 3}}) {
    const i64 rows = shape.rows, cols = shape.cols, count = rows * cols;
    auto x = random(count, 20, -2.0f, 3.0f), weight = random(cols, 21),
         bias = random(cols, 22), grad = random(count, 23);
    std::vector<float> out(count), mean(rows), rstd(rows);
    cpu::layerNorm(rows, cols, x.data(), nullptr, nullptr, weight.data(),
                   bias.data(), 1e-5f, out.data(), mean.data(), rstd.data());
    std::vector<float> dx(count), dweight(cols), dbias(cols);
    cpu::layerNormGrad(rows, cols, grad.data(), x.data(), mean.data(),
                       rstd.data(), weight.data(), dx.data(), dweight.data(),
                       dbias.data());
    const unsigned paramUnits =
        static_cast<unsigned>((cols + cu::kParamColumns - 1) / cu::kParamColumns);
    for (const Launch &l : count <= 60 ? withWide() : kLaunches) {
      auto dDx = poisoned(count), dDweight = poisoned(cols),
           dDbias = poisoned(cols);
      launch(l.grid, l.block, [&] {
        cu::layerNormGradInput(rows, cols, grad.data(), x.data(), mean.data(),
                               rstd.data(), weight.data(), dDx.data());
      });
      launch(l.grid, l.block, [&] {
        cu::layerNormGradParams(rows, cols, grad.data(), x.data(), mean.data(),
                                rstd.data(), dDweight.data(), dDbias.data());
      });
      const std::string what = std::to_string(rows) + "x" +
                               std::to_string(cols) + " " + describe(l);
      expectClose("dx " + what, dDx, dx);
      expectClose("dweight " + what, dDweight, dweight);
      expectClose("dbias " + what, dDbias, dbias);
    }
    // The documented grid: one block per unit.
    auto dDweight = poisoned(cols), dDbias = poisoned(cols);
    launch(paramUnits, 32, [&] {
      cu::layerNormGradParams(rows, cols, grad.data(), x.data(), mean.data(),
                              rstd.data(), dDweight.data(), dDbias.data());
    });
    expectClose("dweight, grid = units", dDweight, dweight);
    expectClose("dbias, grid = units", dDbias, dbias);
  }
}

//===----------------------------------------------------------------------===//
// Attention.
//===----------------------------------------------------------------------===//

struct AttentionCase {
  i64 batch, lq, lk, d, dv;
  bool causal;
};

std::string describe(const AttentionCase &c) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), "b %lld lq %lld lk %lld d %lld dv %lld causal %d",
                c.batch, c.lq, c.lk, c.d, c.dv, c.causal);
  return buffer;
}

std::vector<AttentionCase> attentionCases() {
  return {
      {2, 5, 7, 3, 4, false},
      {3, 9, 9, 8, 8, true},
      {1, 4, 300, 5, 3, false}, // more keys than any block: chunked
      {2, 7, 4, 4, 6, true},    // causal with lq > lk
      {1, 3, 6, 1, 1, true},    // causal with lq < lk
      {1, 40, 40, 16, 40, true},
      {1, 3, 5, 6, 70, false},  // dv wider than the small blocks
  };
}

TEST(CudaKernelsAttention, Forward) {
  unsigned seed = 30;
  for (const AttentionCase &c : attentionCases()) {
    const float scale = 1.0f / std::sqrt(static_cast<float>(c.d));
    auto q = random(c.batch * c.lq * c.d, seed++, -2.0f, 2.0f),
         k = random(c.batch * c.lk * c.d, seed++, -2.0f, 2.0f),
         v = random(c.batch * c.lk * c.dv, seed++);
    std::vector<float> out(c.batch * c.lq * c.dv), lse(c.batch * c.lq);
    cpu::attention(c.batch, c.lq, c.lk, c.d, c.dv, scale, c.causal, q.data(),
                   k.data(), v.data(), out.data(), lse.data());
    const bool small = c.batch * c.lq <= 10 && c.lk <= 10;
    for (const Launch &l : small ? withWide() : kLaunches) {
      auto dOut = poisoned(out.size()), dLse = poisoned(lse.size());
      launch(l.grid, l.block, [&] {
        cu::attentionForward(c.batch, c.lq, c.lk, c.d, c.dv, scale, c.causal,
                             q.data(), k.data(), v.data(), dOut.data(),
                             dLse.data());
      });
      expectClose("out " + describe(c) + " " + describe(l), dOut, out);
      expectClose("lse " + describe(c) + " " + describe(l), dLse, lse);
    }
  }
}

TEST(CudaKernelsAttention, NoKeys) {
  const i64 batch = 2, lq = 3, dv = 4;
  std::vector<float> q(batch * lq * 2, 1.0f);
  for (const Launch &l : kLaunches) {
    auto out = poisoned(batch * lq * dv), lse = poisoned(batch * lq);
    launch(l.grid, l.block, [&] {
      cu::attentionForward(batch, lq, 0, 2, dv, 1.0f, false, q.data(), nullptr,
                           nullptr, out.data(), lse.data());
    });
    for (float o : out)
      EXPECT_EQ(o, 0.0f) << describe(l);
    for (float x : lse)
      EXPECT_EQ(x, -kInf) << describe(l);
  }
}

TEST(CudaKernelsAttention, Backward) {
  unsigned seed = 60;
  for (const AttentionCase &c : attentionCases()) {
    const float scale = 1.0f / std::sqrt(static_cast<float>(c.d));
    auto q = random(c.batch * c.lq * c.d, seed++, -2.0f, 2.0f),
         k = random(c.batch * c.lk * c.d, seed++, -2.0f, 2.0f),
         v = random(c.batch * c.lk * c.dv, seed++),
         grad = random(c.batch * c.lq * c.dv, seed++);
    std::vector<float> out(c.batch * c.lq * c.dv), lse(c.batch * c.lq);
    cpu::attention(c.batch, c.lq, c.lk, c.d, c.dv, scale, c.causal, q.data(),
                   k.data(), v.data(), out.data(), lse.data());
    std::vector<float> dq(q.size()), dk(k.size()), dv(v.size());
    cpu::attentionGrad(c.batch, c.lq, c.lk, c.d, c.dv, scale, c.causal,
                       grad.data(), q.data(), k.data(), v.data(), out.data(),
                       lse.data(), dq.data(), dk.data(), dv.data());
    for (const Launch &l : kLaunches) {
      auto dDq = poisoned(dq.size()), dDk = poisoned(dk.size()),
           dDv = poisoned(dv.size());
      launch(l.grid, l.block, [&] {
        cu::attentionGradQuery(c.batch, c.lq, c.lk, c.d, c.dv, scale, c.causal,
                               grad.data(), q.data(), k.data(), v.data(),
                               out.data(), lse.data(), dDq.data());
      });
      launch(l.grid, l.block, [&] {
        cu::attentionGradKeyValue(c.batch, c.lq, c.lk, c.d, c.dv, scale,
                                  c.causal, grad.data(), q.data(), k.data(),
                                  v.data(), out.data(), lse.data(), dDk.data(),
                                  dDv.data());
      });
      const std::string what = describe(c) + " " + describe(l);
      expectClose("dq " + what, dDq, dq);
      expectClose("dk " + what, dDk, dk);
      expectClose("dv " + what, dDv, dv);
    }
  }
}

//===----------------------------------------------------------------------===//
// Contrastive loss.
//===----------------------------------------------------------------------===//

struct ContrastiveCase {
  i64 n, d;
  bool zeroRow; // image row 1 all zeros: its norm is clamped to epsilon
};

std::vector<ContrastiveCase> contrastiveCases() {
  return {{1, 4, false}, {5, 8, true}, {37, 6, false}, {3, 300, true}};
}

TEST(CudaKernelsContrastiveLoss, Forward) {
  unsigned seed = 90;
  for (const ContrastiveCase &c : contrastiveCases()) {
    const i64 n = c.n, d = c.d;
    auto image = random(n * d, seed++), text = random(n * d, seed++);
    if (c.zeroRow)
      std::fill(image.begin() + d, image.begin() + 2 * d, 0.0f);
    const float logitScale = std::log(1.0f / 0.07f), eps = 1e-6f;
    float loss = 0.0f;
    std::vector<float> imageNorm(n), textNorm(n), imageLse(n), textLse(n);
    cpu::contrastiveLoss(n, d, image.data(), text.data(), &logitScale, eps,
                         &loss, imageNorm.data(), textNorm.data(),
                         imageLse.data(), textLse.data());
    const std::string shape =
        "n " + std::to_string(n) + " d " + std::to_string(d) + " ";
    for (const Launch &l : kLaunches) {
      auto dImageNorm = poisoned(n), dTextNorm = poisoned(n),
           dImageLse = poisoned(n), dTextLse = poisoned(n), dLoss = poisoned(1);
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossNorms(n, d, image.data(), text.data(), eps,
                                 dImageNorm.data(), dTextNorm.data());
      });
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossLse(n, d, image.data(), text.data(), &logitScale,
                               dImageNorm.data(), dTextNorm.data(),
                               dImageLse.data(), dTextLse.data());
      });
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossTotal(n, d, image.data(), text.data(), &logitScale,
                                 dImageNorm.data(), dTextNorm.data(),
                                 dImageLse.data(), dTextLse.data(),
                                 dLoss.data());
      });
      const std::string what = shape + describe(l);
      expectClose("imageNorm " + what, dImageNorm, imageNorm);
      expectClose("textNorm " + what, dTextNorm, textNorm);
      expectClose("imageLse " + what, dImageLse, imageLse);
      expectClose("textLse " + what, dTextLse, textLse);
      expectClose("loss " + what, dLoss[0], loss);
    }
  }
}

TEST(CudaKernelsContrastiveLoss, Backward) {
  unsigned seed = 120;
  for (const ContrastiveCase &c : contrastiveCases()) {
    const i64 n = c.n, d = c.d;
    auto image = random(n * d, seed++), text = random(n * d, seed++);
    if (c.zeroRow)
      std::fill(image.begin() + d, image.begin() + 2 * d, 0.0f);
    const float logitScale = std::log(1.0f / 0.07f), eps = 1e-6f,
                grad = 0.7f;
    float loss = 0.0f;
    std::vector<float> imageNorm(n), textNorm(n), imageLse(n), textLse(n);
    cpu::contrastiveLoss(n, d, image.data(), text.data(), &logitScale, eps,
                         &loss, imageNorm.data(), textNorm.data(),
                         imageLse.data(), textLse.data());
    std::vector<float> dimage(n * d), dtext(n * d);
    float dscale = 0.0f;
    cpu::contrastiveLossGrad(n, d, &grad, image.data(), text.data(),
                             &logitScale, imageNorm.data(), textNorm.data(),
                             imageLse.data(), textLse.data(), eps,
                             dimage.data(), dtext.data(), &dscale);
    const std::string shape =
        "n " + std::to_string(n) + " d " + std::to_string(d) + " ";
    for (const Launch &l : kLaunches) {
      auto dDimage = poisoned(n * d), dDtext = poisoned(n * d),
           dScale = poisoned(1), dScaleRows = poisoned(1);
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossGradScale(n, d, &grad, image.data(), text.data(),
                                     &logitScale, imageNorm.data(),
                                     textNorm.data(), imageLse.data(),
                                     textLse.data(), dScale.data());
      });
      // The two-phase form, through dimage/dtext, before the embeddings.
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossGradScaleRows(
            n, d, &grad, image.data(), text.data(), &logitScale,
            imageNorm.data(), textNorm.data(), imageLse.data(), textLse.data(),
            dDimage.data(), dDtext.data());
      });
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossGradScaleSum(n, dDimage.data(), dDtext.data(),
                                        dScaleRows.data());
      });
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossGradEmbeddings(
            n, d, &grad, image.data(), text.data(), &logitScale,
            imageNorm.data(), textNorm.data(), imageLse.data(), textLse.data(),
            eps, dDimage.data(), dDtext.data());
      });
      const std::string what = shape + describe(l);
      expectClose("dimage " + what, dDimage, dimage);
      expectClose("dtext " + what, dDtext, dtext);
      expectClose("dlogitScale " + what, dScale[0], dscale);
      expectClose("dlogitScale (rows) " + what, dScaleRows[0], dscale);
    }
  }
}

//===----------------------------------------------------------------------===//
// Convolution and pooling.
//===----------------------------------------------------------------------===//

cpu::Conv2DShape convShape(i64 n, i64 c, i64 h, i64 w, i64 oc, i64 kh, i64 kw,
                           i64 sh, i64 sw, i64 ph, i64 pw, i64 dh, i64 dw,
                           i64 groups) {
  cpu::Conv2DShape s;
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

cu::Conv2DShape toDevice(const cpu::Conv2DShape &s) {
  return {s.n,         s.channels, s.height,   s.width,     s.outChannels,
          s.kernelH,   s.kernelW,  s.outHeight, s.outWidth, s.strideH,
          s.strideW,   s.padH,     s.padW,     s.dilationH, s.dilationW,
          s.groups};
}

std::string describe(const cpu::Conv2DShape &s) {
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

std::vector<cpu::Conv2DShape> convCases() {
  return {
      convShape(2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      convShape(2, 4, 9, 11, 6, 3, 2, 2, 1, 1, 2, 2, 1, 2), // grouped, uneven
      convShape(1, 3, 12, 10, 2, 5, 3, 3, 2, 2, 0, 1, 2, 1), // strided, dilated
      convShape(2, 4, 7, 6, 8, 3, 3, 2, 2, 1, 1, 1, 1, 4),   // depthwise x2
      convShape(2, 6, 5, 7, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1),   // pointwise
      convShape(2, 3, 8, 12, 2, 4, 4, 4, 4, 0, 0, 1, 1, 1),  // patchify
  };
}

TEST(CudaKernelsConv2D, Forward) {
  unsigned seed = 150;
  for (const cpu::Conv2DShape &s : convCases()) {
    const i64 xCount = s.n * s.channels * s.height * s.width;
    const i64 wCount = s.outChannels * (s.channels / s.groups) * s.kernelH * s.kernelW;
    const i64 outCount = s.n * s.outChannels * s.outHeight * s.outWidth;
    auto x = random(xCount, seed++), w = random(wCount, seed++),
         bias = random(s.outChannels, seed++);
    const cu::Conv2DShape ds = toDevice(s);
    for (bool withBias : {false, true}) {
      std::vector<float> out(outCount);
      cpu::conv2d(s, x.data(), w.data(), withBias ? bias.data() : nullptr,
                  out.data());
      for (const Launch &l : kLaunches) {
        auto dOut = poisoned(outCount);
        launch(l.grid, l.block, [&] {
          cu::conv2dForward(ds, x.data(), w.data(),
                            withBias ? bias.data() : nullptr, dOut.data());
        });
        expectClose(describe(s) + " bias " + std::to_string(withBias) + " " +
                        describe(l),
                    dOut, out);
      }
    }
  }
}

TEST(CudaKernelsConv2D, Backward) {
  unsigned seed = 180;
  for (const cpu::Conv2DShape &s : convCases()) {
    const i64 xCount = s.n * s.channels * s.height * s.width;
    const i64 wCount = s.outChannels * (s.channels / s.groups) * s.kernelH * s.kernelW;
    const i64 outCount = s.n * s.outChannels * s.outHeight * s.outWidth;
    auto x = random(xCount, seed++), w = random(wCount, seed++),
         grad = random(outCount, seed++);
    std::vector<float> dx(xCount), dw(wCount);
    cpu::conv2dGrad(s, grad.data(), x.data(), w.data(), dx.data(), dw.data());
    const cu::Conv2DShape ds = toDevice(s);
    for (const Launch &l : kLaunches) {
      auto dDx = poisoned(xCount), dDw = poisoned(wCount);
      launch(l.grid, l.block, [&] {
        cu::conv2dGradInput(ds, grad.data(), w.data(), dDx.data());
      });
      launch(l.grid, l.block, [&] {
        cu::conv2dGradWeight(ds, grad.data(), x.data(), dDw.data());
      });
      expectClose("dx " + describe(s) + " " + describe(l), dDx, dx);
      expectClose("dw " + describe(s) + " " + describe(l), dDw, dw);
    }
  }
}

cpu::Pool2DShape poolShape(i64 planes, i64 h, i64 w, i64 kh, i64 kw, i64 sh,
                           i64 sw, i64 ph, i64 pw) {
  cpu::Pool2DShape s;
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

TEST(CudaKernelsAvgPool2D, ForwardAndBackward) {
  unsigned seed = 210;
  for (const cpu::Pool2DShape &s :
       {poolShape(3, 7, 6, 3, 3, 2, 2, 1, 1), poolShape(2, 8, 8, 2, 2, 2, 2, 0, 0),
        poolShape(1, 5, 4, 3, 2, 1, 2, 1, 0), poolShape(2, 9, 7, 3, 3, 1, 1, 1, 1),
        poolShape(1, 6, 6, 6, 6, 6, 6, 0, 0)}) {
    const cu::Pool2DShape ds{s.planes,  s.height,  s.width,   s.outHeight,
                             s.outWidth, s.kernelH, s.kernelW, s.strideH,
                             s.strideW, s.padH,    s.padW};
    const i64 inCount = s.planes * s.height * s.width;
    const i64 outCount = s.planes * s.outHeight * s.outWidth;
    auto x = random(inCount, seed++), grad = random(outCount, seed++);
    std::vector<float> out(outCount), dx(inCount);
    cpu::avgPool2d(s, x.data(), out.data());
    cpu::avgPool2dGrad(s, grad.data(), dx.data());
    const std::string shape =
        std::to_string(s.height) + "x" + std::to_string(s.width) + " k " +
        std::to_string(s.kernelH) + "x" + std::to_string(s.kernelW) + " s " +
        std::to_string(s.strideH) + "x" + std::to_string(s.strideW) + " p " +
        std::to_string(s.padH) + "x" + std::to_string(s.padW) + " ";
    for (const Launch &l : kLaunches) {
      auto dOut = poisoned(outCount), dDx = poisoned(inCount);
      launch(l.grid, l.block,
             [&] { cu::avgPool2d(ds, x.data(), dOut.data()); });
      launch(l.grid, l.block,
             [&] { cu::avgPool2dGrad(ds, grad.data(), dDx.data()); });
      expectClose("out " + shape + describe(l), dOut, out);
      expectClose("dx " + shape + describe(l), dDx, dx);
    }
  }
}

//===----------------------------------------------------------------------===//
// BatchNorm.
//===----------------------------------------------------------------------===//

TEST(CudaKernelsBatchNorm, InferenceAndTraining) {
  struct Case {
    i64 n, channels, spatial;
  };
  unsigned seed = 240;
  for (const Case &c : {Case{3, 5, 7}, Case{2, 3, 300}, Case{4, 2, 1}}) {
    const i64 count = c.n * c.channels * c.spatial;
    auto x = random(count, seed++, -1.0f, 3.0f),
         scale = random(c.channels, seed++), bias = random(c.channels, seed++),
         mean = random(c.channels, seed++),
         var = random(c.channels, seed++, 0.5f, 2.0f);
    const float eps = 1e-5f, momentum = 0.1f;
    std::vector<float> out(count), trainOut(count), newMean(c.channels),
        newVar(c.channels);
    cpu::batchNorm(c.n, c.channels, c.spatial, x.data(), scale.data(),
                   bias.data(), mean.data(), var.data(), eps, out.data());
    cpu::batchNormTrain(c.n, c.channels, c.spatial, x.data(), scale.data(),
                        bias.data(), mean.data(), var.data(), eps, momentum,
                        trainOut.data(), newMean.data(), newVar.data());
    const std::string shape = std::to_string(c.n) + "x" +
                              std::to_string(c.channels) + "x" +
                              std::to_string(c.spatial) + " ";
    for (const Launch &l : kLaunches) {
      auto dOut = poisoned(count), dTrainOut = poisoned(count),
           dNewMean = poisoned(c.channels), dNewVar = poisoned(c.channels);
      launch(l.grid, l.block, [&] {
        cu::batchNorm(c.n, c.channels, c.spatial, x.data(), scale.data(),
                      bias.data(), mean.data(), var.data(), eps, dOut.data());
      });
      launch(l.grid, l.block, [&] {
        cu::batchNormTrain(c.n, c.channels, c.spatial, x.data(), scale.data(),
                           bias.data(), mean.data(), var.data(), eps, momentum,
                           dTrainOut.data(), dNewMean.data(), dNewVar.data());
      });
      expectClose("inference " + shape + describe(l), dOut, out);
      expectClose("train " + shape + describe(l), dTrainOut, trainOut);
      expectClose("running mean " + shape + describe(l), dNewMean, newMean);
      expectClose("running var " + shape + describe(l), dNewVar, newVar);
    }
  }
}

//===----------------------------------------------------------------------===//
// Data movement.
//===----------------------------------------------------------------------===//

struct CopyCase {
  std::string name;
  std::vector<i64> shape, srcStrides, dstStrides;
  i64 srcOffset, srcCount, dstCount;
};

std::vector<CopyCase> copyCases() {
  return {
      // [3,4,5] -> [5,3,4] (permutation 2,0,1), iterated in dst order
      {"transpose", {5, 3, 4}, {1, 20, 5}, {12, 4, 1}, 0, 60, 60},
      // [6] -> [4,6] broadcast
      {"broadcast", {4, 6}, {0, 1}, {6, 1}, 0, 6, 24},
      // rows 1..3, columns 2..6 of [5,9]
      {"slice", {3, 5}, {9, 1}, {5, 1}, 9 + 2, 45, 15},
      // [7] into every other element of [14] (concat / slice_grad form)
      {"strided dst", {7}, {1}, {2}, 0, 7, 14},
      {"rank 0", {}, {}, {}, 3, 5, 1},
      {"empty", {3, 0}, {1, 1}, {1, 1}, 0, 1, 1},
  };
}

TEST(CudaKernelsDataMovement, StridedCopy) {
  for (const CopyCase &c : copyCases()) {
    const int rank = static_cast<int>(c.shape.size());
    auto src = random(c.srcCount, 270);
    std::vector<long long> srcI(c.srcCount);
    for (i64 i = 0; i < c.srcCount; ++i)
      srcI[i] = 1000 + i;
    std::vector<float> want(c.dstCount, -7.0f);
    std::vector<long long> wantI(c.dstCount, -7);
    cpu::stridedCopy(rank, asCpu(c.shape.data()), src.data() + c.srcOffset,
                     asCpu(c.srcStrides.data()), want.data(),
                     asCpu(c.dstStrides.data()));
    cpu::stridedCopy(rank, asCpu(c.shape.data()), asCpu(srcI.data()) + c.srcOffset,
                     asCpu(c.srcStrides.data()), asCpu(wantI.data()),
                     asCpu(c.dstStrides.data()));
    for (const Launch &l : kLaunches) {
      std::vector<float> got(c.dstCount, -7.0f);
      std::vector<long long> gotI(c.dstCount, -7);
      launch(l.grid, l.block, [&] {
        cu::stridedCopy<float>(rank, c.shape.data(), src.data() + c.srcOffset,
                               c.srcStrides.data(), got.data(),
                               c.dstStrides.data());
      });
      launch(l.grid, l.block, [&] {
        cu::stridedCopy<long long>(rank, c.shape.data(),
                                   srcI.data() + c.srcOffset,
                                   c.srcStrides.data(), gotI.data(),
                                   c.dstStrides.data());
      });
      EXPECT_EQ(got, want) << c.name << " " << describe(l);
      EXPECT_EQ(gotI, wantI) << c.name << " " << describe(l);
    }
  }
}

TEST(CudaKernelsDataMovement, Fill) {
  for (const Launch &l : kLaunches) {
    auto dst = poisoned(301);
    launch(l.grid, l.block, [&] { cu::fill(dst.data(), 300, 2.5f); });
    for (int i = 0; i < 300; ++i)
      ASSERT_EQ(dst[i], 2.5f) << describe(l);
    EXPECT_TRUE(std::isnan(dst[300])) << describe(l);
  }
}

/// A reduction of a contiguous input `shape` over the dims flagged in
/// `reduced`: the device form (kept/reduced index spaces with input
/// strides) and the CPU form (output strides, 0 on reduced dims).
struct ReduceCase {
  std::vector<i64> shape;
  std::vector<bool> reduced;
};

TEST(CudaKernelsReduce, SumMeanMax) {
  const std::vector<ReduceCase> cases = {
      {{4, 5, 6}, {false, true, false}},  // middle axis
      {{4, 5, 6}, {true, false, true}},   // outer and inner axes
      {{4, 5, 6}, {true, true, true}},    // everything
      {{4, 5, 6}, {false, false, true}},  // innermost
      {{2, 3, 5}, {false, false, false}}, // nothing
      {{3, 700}, {false, true}},          // long rows
      {{700, 3}, {true, false}},          // long columns
      {{2, 3, 4, 5}, {true, false, true, false}},
  };
  unsigned seed = 300;
  for (const ReduceCase &c : cases) {
    const int rank = static_cast<int>(c.shape.size());
    std::vector<i64> strides(rank, 1);
    for (int d = rank - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * c.shape[d + 1];
    i64 total = 1;
    for (i64 s : c.shape)
      total *= s;
    std::vector<i64> keptShape, keptStrides, redShape, redStrides;
    for (int d = 0; d < rank; ++d) {
      (c.reduced[d] ? redShape : keptShape).push_back(c.shape[d]);
      (c.reduced[d] ? redStrides : keptStrides).push_back(strides[d]);
    }
    i64 keptCount = 1;
    for (i64 s : keptShape)
      keptCount *= s;
    std::vector<i64> dstStrides(rank, 0);
    for (int d = rank - 1, step = 1; d >= 0; --d)
      if (!c.reduced[d]) {
        dstStrides[d] = step;
        step *= static_cast<int>(c.shape[d]);
      }
    auto src = random(total, seed++, -3.0f, 2.0f);
    src[total / 3] = kNan; // max propagates it; sums too
    std::string shape;
    for (int d = 0; d < rank; ++d)
      shape += std::to_string(c.shape[d]) + (c.reduced[d] ? "r " : " ");
    for (int kind = 0; kind <= 2; ++kind)
      for (bool withNan : {false, true}) {
        if (withNan && kind == 1)
          continue; // the same path as a sum
        auto input = src;
        if (!withNan)
          input[total / 3] = 0.5f;
        std::vector<float> want(keptCount);
        cpu::reduce(static_cast<cpu::Reduction>(kind), rank,
                    asCpu(c.shape.data()), input.data(),
                    asCpu(dstStrides.data()), want.data(), keptCount);
        const std::vector<Launch> launches =
            keptCount <= 6 && total <= 120 ? withWide() : kLaunches;
        for (const Launch &l : launches) {
          auto got = poisoned(keptCount);
          launch(l.grid, l.block, [&] {
            cu::reduce(kind, static_cast<int>(keptShape.size()),
                       keptShape.data(), keptStrides.data(),
                       static_cast<int>(redShape.size()), redShape.data(),
                       redStrides.data(), input.data(), got.data());
          });
          expectClose(shape + "kind " + std::to_string(kind) + " nan " +
                          std::to_string(withNan) + " " + describe(l),
                      got, want);
        }
      }
  }
}

TEST(CudaKernelsReduce, Argmax) {
  struct Case {
    i64 outer, axis, inner;
  };
  unsigned seed = 330;
  for (const Case &c : {Case{3, 7, 5}, Case{2, 300, 1}, Case{4, 1, 3}, Case{1, 9, 1}}) {
    const i64 count = c.outer * c.axis * c.inner;
    auto src = random(count, seed++);
    for (float &v : src)
      v = std::round(v * 3.0f); // ties: the first index wins
    if (count > 10)
      src[7] = kNan, src[count - 2] = kNan;
    std::vector<long long> srcI(count);
    for (i64 i = 0; i < count; ++i)
      srcI[i] = std::isnan(src[i]) ? 9 : static_cast<long long>(src[i]);
    std::vector<long long> want(c.outer * c.inner), wantI(c.outer * c.inner);
    cpu::argmax(c.outer, c.axis, c.inner, src.data(), asCpu(want.data()));
    cpu::argmax(c.outer, c.axis, c.inner, asCpu(srcI.data()),
                asCpu(wantI.data()));
    for (const Launch &l : kLaunches) {
      std::vector<long long> got(want.size(), -1), gotI(want.size(), -1);
      launch(l.grid, l.block, [&] {
        cu::argmax<float>(c.outer, c.axis, c.inner, src.data(), got.data());
      });
      launch(l.grid, l.block, [&] {
        cu::argmax<long long>(c.outer, c.axis, c.inner, srcI.data(),
                              gotI.data());
      });
      EXPECT_EQ(got, want) << describe(l);
      EXPECT_EQ(gotI, wantI) << describe(l);
    }
  }
}

TEST(CudaKernelsReduce, Softmax) {
  struct Case {
    i64 outer, axis, inner;
  };
  unsigned seed = 360;
  for (const Case &c : {Case{4, 9, 1}, Case{3, 300, 1}, Case{2, 7, 5}, Case{1, 1, 4}}) {
    const i64 count = c.outer * c.axis * c.inner;
    auto src = random(count, seed++, -6.0f, 6.0f);
    for (bool log : {false, true}) {
      std::vector<float> want(count);
      cpu::softmax(c.outer, c.axis, c.inner, log, src.data(), want.data());
      for (const Launch &l : kLaunches) {
        auto got = poisoned(count);
        launch(l.grid, l.block, [&] {
          cu::softmax(c.outer, c.axis, c.inner, log, src.data(), got.data());
        });
        expectClose(std::to_string(c.outer) + "x" + std::to_string(c.axis) +
                        "x" + std::to_string(c.inner) + " log " +
                        std::to_string(log) + " " + describe(l),
                    got, want);
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Gather.
//===----------------------------------------------------------------------===//

struct GatherCase {
  i64 batch, pre, axis, inner, count;
};

std::vector<GatherCase> gatherCases() {
  return {{2, 3, 7, 5, 4}, {1, 1, 10, 3, 25}, {3, 1, 4, 1, 6}, {1, 2, 5, 40, 3}};
}

TEST(CudaKernelsGather, Forward) {
  unsigned seed = 390;
  for (const GatherCase &c : gatherCases()) {
    const i64 xCount = c.batch * c.pre * c.axis * c.inner;
    const i64 outCount = c.batch * c.pre * c.count * c.inner;
    auto x = random(xCount, seed++);
    std::vector<long long> xI(xCount);
    for (i64 i = 0; i < xCount; ++i)
      xI[i] = 3 * i - 50;
    auto indices = randomIndices(c.batch * c.count, c.axis, seed++);
    indices[0] = indices.back(); // at least one repeat
    std::vector<float> want(outCount);
    std::vector<long long> wantI(outCount);
    ASSERT_EQ(cpu::gather(c.batch, c.pre, c.axis, c.inner, c.count, x.data(),
                          asCpu(indices.data()), want.data()),
              -1);
    ASSERT_EQ(cpu::gather(c.batch, c.pre, c.axis, c.inner, c.count,
                          asCpu(xI.data()), asCpu(indices.data()),
                          asCpu(wantI.data())),
              -1);
    for (const Launch &l : kLaunches) {
      auto got = poisoned(outCount);
      std::vector<long long> gotI(outCount, -1), error(3, 0);
      launch(l.grid, l.block, [&] {
        cu::gather<float>(c.batch, c.pre, c.axis, c.inner, c.count, x.data(),
                          indices.data(), got.data(), error.data());
      });
      launch(l.grid, l.block, [&] {
        cu::gather<long long>(c.batch, c.pre, c.axis, c.inner, c.count,
                              xI.data(), indices.data(), gotI.data(),
                              error.data());
      });
      EXPECT_EQ(got, want) << describe(l);
      EXPECT_EQ(gotI, wantI) << describe(l);
      EXPECT_EQ(error, (std::vector<long long>{0, 0, 0})) << describe(l);
    }
  }
}

TEST(CudaKernelsGather, Backward) {
  unsigned seed = 420;
  for (const GatherCase &c : gatherCases()) {
    const i64 dxCount = c.batch * c.pre * c.axis * c.inner;
    const i64 gradCount = c.batch * c.pre * c.count * c.inner;
    auto grad = random(gradCount, seed++);
    auto indices = randomIndices(c.batch * c.count, c.axis, seed++);
    indices[0] = indices.back();
    std::vector<float> want(dxCount);
    ASSERT_EQ(cpu::gatherGrad(c.batch, c.pre, c.axis, c.inner, c.count,
                              grad.data(), asCpu(indices.data()), want.data()),
              -1);
    for (const Launch &l : kLaunches) {
      auto got = poisoned(dxCount);
      std::vector<long long> error(3, 0);
      launch(l.grid, l.block, [&] { cu::fill(got.data(), dxCount, 0.0f); });
      launch(l.grid, l.block, [&] {
        cu::gatherGrad(c.batch, c.pre, c.axis, c.inner, c.count, grad.data(),
                       indices.data(), got.data(), error.data());
      });
      expectClose(describe(l), got, want);
      EXPECT_EQ(error, (std::vector<long long>{0, 0, 0})) << describe(l);
    }
  }
}

TEST(CudaKernelsGather, BadIndices) {
  const i64 batch = 2, pre = 3, axis = 7, inner = 4, count = 6;
  auto x = random(batch * pre * axis * inner, 450);
  auto grad = random(batch * pre * count * inner, 451);
  auto indices = randomIndices(batch * count, axis, 452);
  indices[9] = -1;
  indices[5] = 7; // the first bad one
  indices[11] = 100;
  std::vector<float> unused(batch * pre * count * inner);
  const int64_t first = cpu::gather(batch, pre, axis, inner, count, x.data(),
                                    asCpu(indices.data()), unused.data());
  ASSERT_EQ(first, 5);
  const std::vector<long long> expected = {1, 5, 7};
  for (const Launch &l : kLaunches) {
    std::vector<long long> error(3, 0), gradError(3, 0);
    auto out = poisoned(batch * pre * count * inner);
    auto dx = poisoned(batch * pre * axis * inner);
    launch(l.grid, l.block, [&] {
      cu::gather<float>(batch, pre, axis, inner, count, x.data(),
                        indices.data(), out.data(), error.data());
    });
    launch(l.grid, l.block, [&] { cu::fill(dx.data(), dx.size(), 0.0f); });
    launch(l.grid, l.block, [&] {
      cu::gatherGrad(batch, pre, axis, inner, count, grad.data(),
                     indices.data(), dx.data(), gradError.data());
    });
    EXPECT_EQ(error, expected) << describe(l);
    EXPECT_EQ(gradError, expected) << describe(l);
    // Rows of bad positions are not written.
    for (i64 bp = 0; bp < pre; ++bp)
      for (i64 e = 0; e < inner; ++e)
        EXPECT_TRUE(std::isnan(out[((0 * pre + bp) * count + 5) * inner + e]));
    // An error recorded by an earlier launch is kept.
    std::vector<long long> earlier = {1, 77, 88};
    launch(l.grid, l.block, [&] {
      cu::gather<float>(batch, pre, axis, inner, count, x.data(),
                        indices.data(), out.data(), earlier.data());
    });
    EXPECT_EQ(earlier, (std::vector<long long>{1, 77, 88})) << describe(l);
  }
}

//===----------------------------------------------------------------------===//
// The block reductions, for every block size up to 40 and a few more.
//===----------------------------------------------------------------------===//

TEST(CudaKernelsEmulation, BlockReductionsAnyBlockSize) {
  std::vector<float> values(300);
  for (int i = 0; i < 300; ++i)
    values[i] = static_cast<float>((i * 37) % 101) - 50.0f;
  std::vector<unsigned> blocks;
  for (unsigned block = 1; block <= 40; ++block)
    blocks.push_back(block);
  for (unsigned block : {63u, 64u, 65u, 127u, 128u, 129u, 255u, 256u})
    blocks.push_back(block);
  for (unsigned block : blocks) {
    std::vector<float> sums(3, kNan), maxes(3, kNan);
    launch(2, block, [&] {
      for (i64 u = blockIdx.x; u < 3; u += gridDim.x) {
        double part = 0.0;
        float max = -kInf;
        for (i64 i = threadIdx.x; i < 100 * (u + 1); i += blockDim.x) {
          part += values[i];
          max = clip::scalar::maxOf(max, values[i]);
        }
        const double total = cu::detail::blockSum(part);
        const float m = cu::detail::blockMax(max);
        if (threadIdx.x == 0) {
          sums[u] = static_cast<float>(total);
          maxes[u] = m;
        }
      }
    });
    for (int u = 0; u < 3; ++u) {
      double want = 0.0;
      float wantMax = -kInf;
      for (int i = 0; i < 100 * (u + 1); ++i) {
        want += values[i];
        wantMax = std::max(wantMax, values[i]);
      }
      EXPECT_EQ(sums[u], static_cast<float>(want)) << "block " << block;
      EXPECT_EQ(maxes[u], wantMax) << "block " << block;
    }
  }
}

//===----------------------------------------------------------------------===//
// NVRTC: the header as the generated units use it.
//===----------------------------------------------------------------------===//

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Kernels in the generated form that call every function, so that NVRTC
/// compiles all of them (templates with both element types).
const char *const kKernels = R"cuda(
namespace {
__device__ float *F(char *A, long long offset) { return (float *)(A + offset); }
__device__ long long *L(char *A, long long offset) { return (long long *)(A + offset); }
}
extern "C" __global__ void k_epilogue(char *A, void *const *P, void *const *I) {
  clip::cuda::gemmEpilogue(1024, 1, F(A, 4096), F(A, 0));
  clip::cuda::gemmEpilogue(1024, 3, nullptr, F(A, 0));
}
extern "C" __global__ void k_layer_norm(char *A, void *const *P, void *const *I) {
  clip::cuda::layerNormForward(128, 512, F(A, 0), F(A, 1 << 20), F(A, 2 << 20), (const float *)P[0], (const float *)P[1], 1e-5f, F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20));
  clip::cuda::layerNormGradInput(128, 512, F(A, 0), F(A, 1 << 20), F(A, 2 << 20), F(A, 3 << 20), (const float *)P[0], F(A, 4 << 20));
  clip::cuda::layerNormGradParams(128, 512, F(A, 0), F(A, 1 << 20), F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20));
}
extern "C" __global__ void k_attention(char *A, void *const *P, void *const *I) {
  clip::cuda::attentionForward(96, 50, 50, 64, 64, 0.125f, false, F(A, 0), F(A, 1 << 22), F(A, 2 << 22), F(A, 3 << 22), F(A, 4 << 22));
  clip::cuda::attentionGradQuery(96, 77, 77, 64, 64, 0.125f, true, F(A, 0), F(A, 1 << 22), F(A, 2 << 22), F(A, 3 << 22), F(A, 4 << 22), F(A, 5 << 22), F(A, 6 << 22));
  clip::cuda::attentionGradKeyValue(96, 77, 77, 64, 64, 0.125f, true, F(A, 0), F(A, 1 << 22), F(A, 2 << 22), F(A, 3 << 22), F(A, 4 << 22), F(A, 5 << 22), F(A, 6 << 22), F(A, 7 << 22));
}
extern "C" __global__ void k_contrastive(char *A, void *const *P, void *const *I) {
  clip::cuda::contrastiveLossNorms(64, 512, F(A, 0), F(A, 1 << 20), 1e-6f, F(A, 2 << 20), F(A, 3 << 20));
  clip::cuda::contrastiveLossLse(64, 512, F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20));
  clip::cuda::contrastiveLossTotal(64, 512, F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20), F(A, 6 << 20));
  clip::cuda::contrastiveLossGradScale(64, 512, F(A, 7 << 20), F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20), F(A, 6 << 20));
  clip::cuda::contrastiveLossGradScaleRows(64, 512, F(A, 7 << 20), F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20), F(A, 8 << 20), F(A, 9 << 20));
  clip::cuda::contrastiveLossGradScaleSum(64, F(A, 8 << 20), F(A, 9 << 20), F(A, 6 << 20));
  clip::cuda::contrastiveLossGradEmbeddings(64, 512, F(A, 7 << 20), F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20), 1e-6f, F(A, 8 << 20), F(A, 9 << 20));
}
extern "C" __global__ void k_conv(char *A, void *const *P, void *const *I) {
  const clip::cuda::Conv2DShape s{8, 3, 32, 32, 16, 3, 3, 16, 16, 2, 2, 1, 1, 1, 1, 1};
  clip::cuda::conv2dForward(s, F(A, 0), (const float *)P[0], nullptr, F(A, 1 << 22));
  clip::cuda::conv2dGradInput(s, F(A, 0), (const float *)P[0], F(A, 1 << 22));
  clip::cuda::conv2dGradWeight(s, F(A, 0), F(A, 2 << 22), F(A, 1 << 22));
  const clip::cuda::Pool2DShape p{24, 32, 32, 16, 16, 2, 2, 2, 2, 0, 0};
  clip::cuda::avgPool2d(p, F(A, 0), F(A, 1 << 22));
  clip::cuda::avgPool2dGrad(p, F(A, 0), F(A, 1 << 22));
  clip::cuda::batchNorm(8, 16, 256, F(A, 0), F(A, 4), F(A, 8), F(A, 12), F(A, 16), 1e-5f, F(A, 1 << 22));
  clip::cuda::batchNormTrain(8, 16, 256, F(A, 0), F(A, 4), F(A, 8), F(A, 12), F(A, 16), 1e-5f, 0.1f, F(A, 1 << 22), F(A, 20), F(A, 24));
}
extern "C" __global__ void k_data(char *A, void *const *P, void *const *I) {
  const long long shape[3] = {4, 5, 6}, src[3] = {1, 4, 20}, dst[3] = {30, 6, 1};
  clip::cuda::stridedCopy<float>(3, shape, F(A, 0), src, F(A, 4096), dst);
  clip::cuda::stridedCopy<long long>(3, shape, L(A, 0), src, L(A, 4096), dst);
  clip::cuda::fill(F(A, 0), 1000, 0.0f);
  const long long kept[1] = {4}, keptStrides[1] = {30}, red[2] = {5, 6}, redStrides[2] = {6, 1};
  clip::cuda::reduce(1, 1, kept, keptStrides, 2, red, redStrides, F(A, 0), F(A, 4096));
  clip::cuda::argmax<float>(4, 5, 6, F(A, 0), L(A, 4096));
  clip::cuda::argmax<long long>(4, 5, 6, L(A, 0), L(A, 4096));
  clip::cuda::softmax(4, 5, 6, true, F(A, 0), F(A, 4096));
  clip::cuda::gather<float>(1, 1, 49408, 512, 77, (const float *)P[0], (const long long *)I[0], F(A, 0), L(A, 8192));
  clip::cuda::gather<long long>(1, 1, 49408, 1, 77, (const long long *)P[0], (const long long *)I[0], L(A, 0), L(A, 8192));
  clip::cuda::gatherGrad(1, 1, 49408, 512, 77, F(A, 0), (const long long *)I[0], F(A, 4096), L(A, 8192));
}
)cuda";

TEST(CudaKernelsNvrtc, CompilesWithoutWarnings) {
  void *library = nullptr;
  for (const char *name :
       {"libnvrtc.so.13", "/usr/local/cuda/lib64/libnvrtc.so.13",
        "/usr/local/cuda/lib64/libnvrtc.so", "libnvrtc.so"})
    if ((library = dlopen(name, RTLD_NOW | RTLD_LOCAL)))
      break;
  if (!library)
    GTEST_SKIP() << "libnvrtc could not be loaded (no CUDA toolkit): "
                 << dlerror();
  using Create = int (*)(void **, const char *, const char *, int,
                         const char *const *, const char *const *);
  using Compile = int (*)(void *, int, const char *const *);
  using LogSize = int (*)(void *, size_t *);
  using Log = int (*)(void *, char *);
  using Destroy = int (*)(void **);
  using ErrorString = const char *(*)(int);
  auto create = reinterpret_cast<Create>(dlsym(library, "nvrtcCreateProgram"));
  auto compile =
      reinterpret_cast<Compile>(dlsym(library, "nvrtcCompileProgram"));
  auto logSize =
      reinterpret_cast<LogSize>(dlsym(library, "nvrtcGetProgramLogSize"));
  auto getLog = reinterpret_cast<Log>(dlsym(library, "nvrtcGetProgramLog"));
  auto destroy =
      reinterpret_cast<Destroy>(dlsym(library, "nvrtcDestroyProgram"));
  auto errorString =
      reinterpret_cast<ErrorString>(dlsym(library, "nvrtcGetErrorString"));
  ASSERT_TRUE(create && compile && logSize && getLog && destroy && errorString);

  const std::string root = CLIPC_SOURCE_DIR;
  const std::string scalar = readFile(root + "/runtime/kernels/ScalarMath.h");
  const std::string kernels = readFile(root + "/runtime/cuda/CudaKernels.cuh");
  ASSERT_FALSE(scalar.empty());
  ASSERT_FALSE(kernels.empty());
  const std::string source = scalar + "\n" + kernels + "\n" + kKernels;

  void *program = nullptr;
  ASSERT_EQ(create(&program, source.c_str(), "clip_kernels.cu", 0, nullptr,
                   nullptr),
            0);
  const char *options[] = {"-std=c++17", "--gpu-architecture=sm_90"};
  const int result = compile(program, 2, options);
  size_t size = 0;
  logSize(program, &size);
  std::string log(size, '\0');
  if (size > 0)
    getLog(program, log.data());
  destroy(&program);
  log.erase(std::find(log.begin(), log.end(), '\0'), log.end());
  const bool blank = log.find_first_not_of(" \t\r\n") == std::string::npos;
  EXPECT_EQ(result, 0) << errorString(result) << "\n" << log;
  EXPECT_TRUE(blank) << "NVRTC log (warnings are errors here):\n" << log;
}

} // namespace
