//===- CpuKernelsTest.cpp - The CPU kernel library against the reference --===//
//
// Every function of runtime/cpu/CpuKernels.h on random f32 inputs (fixed
// seeds), compared with the naive f64 kernels of compiler/Reference by the
// relative L2 error ||ours - ref|| / ||ref|| over each whole result. Shapes
// are picked to reach the kernels' edge cases and their threaded paths
// (batch spread over threads, collapsed GEMMs, column-split reductions).
// Also: in-place residual accumulation, bad gather indices, and bitwise
// run-to-run determinism of the reductions done in parallel. CMake runs the
// suite once more under each OpenBLAS core type (OpenBlasCore.h).
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/CpuKernels.h"

#include "compiler/Reference/Kernels.h"
#include "test/unit/KernelTestHarness.h"
#include "test/unit/cpu/OpenBlasCore.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

namespace ref = mlir::clip::reference;
namespace cpu = clip::cpu;
using ref::Tensor;

namespace {

//===----------------------------------------------------------------------===//
// Helpers (the shared ones: test/unit/KernelTestHarness.h).
//===----------------------------------------------------------------------===//

using clip::test::convShape;
using clip::test::describe;
using clip::test::kTolerance;
using clip::test::random;
using clip::test::randomIndices;

/// CMake also runs these tests under each OpenBLAS core type
/// (cpu-kernels-<core>); skip where this CPU or build cannot run it.
class OpenBlasCoreEnvironment : public ::testing::Environment {
public:
  void SetUp() override {
    const std::string reason = clip::test::openBlasCoreSkipReason();
    if (!reason.empty())
      GTEST_SKIP() << reason;
  }
};
[[maybe_unused]] const auto *const kCoreCheck =
    ::testing::AddGlobalTestEnvironment(new OpenBlasCoreEnvironment);

int64_t product(llvm::ArrayRef<int64_t> shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

template <typename T>
Tensor tensor(llvm::ArrayRef<int64_t> shape, const T *data) {
  const int64_t count = product(shape);
  return Tensor(shape, std::vector<double>(data, data + count));
}
template <typename T>
Tensor tensor(llvm::ArrayRef<int64_t> shape, const std::vector<T> &data) {
  EXPECT_EQ(product(shape), static_cast<int64_t>(data.size()));
  return tensor(shape, data.data());
}

/// Checks `ours` against the reference's result and records the error for
/// the report (clip::test::expectClose).
void expectClose(const std::string &what, const float *ours,
                 const Tensor &expected, double tolerance = kTolerance) {
  clip::test::expectClose(what, ours, expected.data.data(),
                          expected.data.size(), tolerance);
}
void expectClose(const std::string &what, const std::vector<float> &ours,
                 const Tensor &expected, double tolerance = kTolerance) {
  ASSERT_EQ(ours.size(), expected.data.size()) << what;
  expectClose(what, ours.data(), expected, tolerance);
}

template <typename T>
bool bitwiseEqual(const std::vector<T> &a, const std::vector<T> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    s[d] = s[d + 1] * shape[d + 1];
  return s;
}

double activate(cpu::Activation act, double x) {
  switch (act) {
  case cpu::Activation::Gelu:
    return ref::gelu(x);
  case cpu::Activation::GeluTanh:
    return ref::geluTanh(x);
  case cpu::Activation::QuickGelu:
    return ref::quickGelu(x);
  default:
    return x;
  }
}

//===----------------------------------------------------------------------===//
// GEMM.
//===----------------------------------------------------------------------===//

struct GemmCase {
  int64_t batch, m, n, k;
  bool transA, transB, broadcastA, broadcastB, bias, residual;
  cpu::Activation act;
};

std::string describe(const GemmCase &c) {
  char buffer[200];
  std::snprintf(buffer, sizeof(buffer),
                "batch %ld m %ld n %ld k %ld tA %d tB %d bcA %d bcB %d bias %d "
                "act %d residual %d",
                (long)c.batch, (long)c.m, (long)c.n, (long)c.k, c.transA,
                c.transB, c.broadcastA, c.broadcastB, c.bias,
                static_cast<int>(c.act), c.residual);
  return buffer;
}

/// Runs one gemm and compares with reference matmul + epilogue in f64.
void checkGemm(const GemmCase &c, unsigned seed) {
  const int64_t aBatch = c.broadcastA ? 1 : c.batch;
  const int64_t bBatch = c.broadcastB ? 1 : c.batch;
  const int64_t aRows = c.transA ? c.k : c.m, aCols = c.transA ? c.m : c.k;
  const int64_t bRows = c.transB ? c.n : c.k, bCols = c.transB ? c.k : c.n;
  auto a = random(aBatch * aRows * aCols, seed);
  auto b = random(bBatch * bRows * bCols, seed + 1);
  auto bias = random(c.n, seed + 2);
  auto residual = random(c.batch * c.m * c.n, seed + 3);
  std::vector<float> out(c.batch * c.m * c.n, std::nanf(""));

  cpu::GemmArgs args;
  args.batch = c.batch;
  args.m = c.m;
  args.n = c.n;
  args.k = c.k;
  args.transposeA = c.transA;
  args.transposeB = c.transB;
  args.a = a.data();
  args.strideA = c.broadcastA ? 0 : aRows * aCols;
  args.b = b.data();
  args.strideB = c.broadcastB ? 0 : bRows * bCols;
  args.c = out.data();
  args.strideC = c.m * c.n;
  args.bias = c.bias ? bias.data() : nullptr;
  args.activation = c.act;
  args.residual = c.residual ? residual.data() : nullptr;
  cpu::gemm(args);

  Tensor expected = ref::matmul(tensor({aBatch, aRows, aCols}, a),
                                tensor({bBatch, bRows, bCols}, b), c.transA,
                                c.transB, {c.batch, c.m, c.n});
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double v = expected.data[i];
    if (c.bias)
      v += bias[i % c.n];
    v = activate(c.act, v);
    if (c.residual)
      v += residual[i];
    expected.data[i] = v;
  }
  expectClose(describe(c), out, expected);
}

TEST(CpuKernelsGemm, MatchesReferenceOverAllOptions) {
  const cpu::Activation acts[] = {cpu::Activation::None, cpu::Activation::Gelu,
                                  cpu::Activation::GeluTanh,
                                  cpu::Activation::QuickGelu};
  unsigned seed = 100;
  for (int64_t batch : {1, 3, 4})
    for (int transA = 0; transA < 2; ++transA)
      for (int transB = 0; transB < 2; ++transB)
        for (int broadcast = 0; broadcast < 3; ++broadcast)
          for (int bias = 0; bias < 2; ++bias)
            for (cpu::Activation act : acts)
              for (int residual = 0; residual < 2; ++residual) {
                // broadcast: 0 none, 1 B shared (collapsible), 2 A shared.
                GemmCase c{batch,
                           7,
                           5,
                           9,
                           bool(transA),
                           bool(transB),
                           broadcast == 2,
                           broadcast == 1,
                           bool(bias),
                           bool(residual),
                           act};
                checkGemm(c, seed++);
              }
}

TEST(CpuKernelsGemm, LargerShapesAndThreadedPaths) {
  // Collapsed tall GEMM (shared B), batch spread over threads, a GEMM big
  // enough for OpenBLAS's own threads, an empty K.
  checkGemm({6, 77, 96, 64, false, true, false, true, true, false,
             cpu::Activation::QuickGelu},
            1);
  checkGemm({8, 65, 65, 64, false, true, false, false, false, false,
             cpu::Activation::None},
            2);
  checkGemm({5, 33, 40, 17, true, false, false, false, true, true,
             cpu::Activation::Gelu},
            3);
  checkGemm({1, 300, 257, 190, false, false, false, false, true, true,
             cpu::Activation::GeluTanh},
            4);
  checkGemm({2, 130, 70, 0, false, false, false, false, true, false,
             cpu::Activation::None},
            5);
  // One GEMM split over the threads by rows or by columns, with each
  // transpose; batch 3 runs its GEMMs in turn, each split.
  checkGemm({1, 260, 100, 96, true, true, false, false, true, true,
             cpu::Activation::Gelu},
            6);
  checkGemm({1, 40, 700, 100, false, true, false, false, true, true,
             cpu::Activation::QuickGelu},
            7);
  checkGemm({1, 50, 520, 90, true, false, false, false, false, true,
             cpu::Activation::None},
            8);
  checkGemm({3, 36, 300, 100, false, false, false, false, true, true,
             cpu::Activation::GeluTanh},
            9);
}

TEST(CpuKernelsGemm, ResidualMayAliasOutput) {
  for (cpu::Activation act : {cpu::Activation::None, cpu::Activation::Gelu}) {
    for (int64_t batch : {1, 2, 4}) {
      const int64_t m = 19, n = 23, k = 11;
      auto a = random(batch * m * k, 7), b = random(batch * k * n, 8);
      auto bias = random(n, 9);
      auto inout = random(batch * m * n, 10);
      const std::vector<float> residual = inout;
      cpu::GemmArgs args;
      args.batch = batch;
      args.m = m;
      args.n = n;
      args.k = k;
      args.a = a.data();
      args.strideA = m * k;
      args.b = b.data();
      args.strideB = k * n;
      args.c = inout.data();
      args.strideC = m * n;
      args.bias = bias.data();
      args.activation = act;
      args.residual = inout.data(); // in place
      cpu::gemm(args);
      Tensor expected =
          ref::matmul(tensor({batch, m, k}, a), tensor({batch, k, n}, b), false,
                      false, {batch, m, n});
      for (int64_t i = 0; i < expected.numel(); ++i)
        expected.data[i] =
            activate(act, expected.data[i] + bias[i % n]) + residual[i];
      expectClose("in-place residual, act " +
                      std::to_string(static_cast<int>(act)) + " batch " +
                      std::to_string(batch),
                  inout, expected);
    }
  }
}

//===----------------------------------------------------------------------===//
// LayerNorm.
//===----------------------------------------------------------------------===//

void checkLayerNorm(int64_t rows, int64_t cols, bool withResidual,
                    unsigned seed) {
  auto x = random(rows * cols, seed, -2.0f, 3.0f);
  auto residual = random(rows * cols, seed + 1);
  auto weight = random(cols, seed + 2, 0.5f, 1.5f);
  auto bias = random(cols, seed + 3);
  std::vector<float> stream(rows * cols), out(rows * cols), mean(rows),
      rstd(rows);
  const float epsilon = 1e-5f;
  cpu::layerNorm(rows, cols, x.data(), withResidual ? residual.data() : nullptr,
                 stream.data(), weight.data(), bias.data(), epsilon, out.data(),
                 mean.data(), rstd.data());
  Tensor input = tensor({rows, cols}, x);
  if (withResidual) {
    for (int64_t i = 0; i < input.numel(); ++i)
      input.data[i] += residual[i];
    expectClose("stream", stream, input);
  }
  auto r = ref::layerNorm(input, tensor({cols}, weight), tensor({cols}, bias),
                          epsilon);
  const std::string what = "rows " + std::to_string(rows) + " cols " +
                           std::to_string(cols) + " residual " +
                           std::to_string(withResidual);
  expectClose("out " + what, out, r.output);
  expectClose("mean " + what, mean, r.mean);
  expectClose("rstd " + what, rstd, r.rstd);
}

TEST(CpuKernelsLayerNorm, MatchesReference) {
  checkLayerNorm(1, 8, false, 1);
  checkLayerNorm(37, 75, false, 2);
  checkLayerNorm(37, 75, true, 3);
  checkLayerNorm(310, 256, true, 4); // threaded
}

struct LayerNormGradOutputs {
  std::vector<float> dx, dw, db;
};

LayerNormGradOutputs runLayerNormGrad(int64_t rows, int64_t cols, unsigned seed,
                                      bool check) {
  auto x = random(rows * cols, seed, -2.0f, 3.0f);
  auto weight = random(cols, seed + 1, 0.5f, 1.5f);
  auto bias = random(cols, seed + 2);
  auto grad = random(rows * cols, seed + 3);
  std::vector<float> out(rows * cols), mean(rows), rstd(rows);
  cpu::layerNorm(rows, cols, x.data(), nullptr, nullptr, weight.data(),
                 bias.data(), 1e-5f, out.data(), mean.data(), rstd.data());
  LayerNormGradOutputs o{std::vector<float>(rows * cols),
                         std::vector<float>(cols, std::nanf("")),
                         std::vector<float>(cols, std::nanf(""))};
  cpu::layerNormGrad(rows, cols, grad.data(), x.data(), mean.data(),
                     rstd.data(), weight.data(), o.dx.data(), o.dw.data(),
                     o.db.data());
  if (check) {
    auto r =
        ref::layerNormGrad(tensor({rows, cols}, grad), tensor({rows, cols}, x),
                           tensor({rows, 1}, mean), tensor({rows, 1}, rstd),
                           tensor({cols}, weight));
    const std::string what =
        "rows " + std::to_string(rows) + " cols " + std::to_string(cols);
    expectClose("dx " + what, o.dx, r.inputGrad);
    expectClose("dweight " + what, o.dw, r.weightGrad);
    expectClose("dbias " + what, o.db, r.biasGrad);
  }
  return o;
}

TEST(CpuKernelsLayerNorm, GradMatchesReference) {
  runLayerNormGrad(1, 8, 11, true);
  runLayerNormGrad(37, 75, 12, true);
  runLayerNormGrad(1000, 96, 13, true); // many chunks
  runLayerNormGrad(9000, 20, 14, true); // chunk size grows past 256 chunks
}

TEST(CpuKernelsLayerNorm, GradIsBitwiseDeterministic) {
  auto first = runLayerNormGrad(2000, 130, 21, false);
  for (int run = 0; run < 3; ++run) {
    auto again = runLayerNormGrad(2000, 130, 21, false);
    EXPECT_TRUE(bitwiseEqual(first.dx, again.dx));
    EXPECT_TRUE(bitwiseEqual(first.dw, again.dw));
    EXPECT_TRUE(bitwiseEqual(first.db, again.db));
  }
}

//===----------------------------------------------------------------------===//
// Attention.
//===----------------------------------------------------------------------===//

struct AttentionCase {
  int64_t batch, lq, lk, d, dv;
  bool causal;
  float scale;
};

std::string describe(const AttentionCase &c) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer),
                "batch %ld lq %ld lk %ld d %ld dv %ld causal %d", (long)c.batch,
                (long)c.lq, (long)c.lk, (long)c.d, (long)c.dv, c.causal);
  return buffer;
}

const AttentionCase kAttentionCases[] = {
    {3, 5, 7, 8, 6, false, 0.35f},     // Lq != Lk, D != Dv
    {2, 9, 9, 16, 12, true, 0.25f},    // causal
    {1, 70, 70, 8, 8, true, 0.3f},     // causal, split into row blocks
    {1, 40, 100, 12, 20, false, 0.2f}, // small batch, long keys
    {8, 65, 65, 64, 64, false, 0.125f},
    {5, 17, 33, 8, 4, false, 0.5f},
    {4, 77, 77, 32, 32, true, 0.18f},
    {1, 130, 150, 64, 48, false, 0.125f}, // one problem, GEMMs split
};

struct AttentionData {
  std::vector<float> q, k, v, out, lse, grad;
};

AttentionData runAttention(const AttentionCase &c, unsigned seed) {
  AttentionData a;
  a.q = random(c.batch * c.lq * c.d, seed, -2.0f, 2.0f);
  a.k = random(c.batch * c.lk * c.d, seed + 1, -2.0f, 2.0f);
  a.v = random(c.batch * c.lk * c.dv, seed + 2);
  a.grad = random(c.batch * c.lq * c.dv, seed + 3);
  a.out.assign(c.batch * c.lq * c.dv, std::nanf(""));
  a.lse.assign(c.batch * c.lq, std::nanf(""));
  cpu::attention(c.batch, c.lq, c.lk, c.d, c.dv, c.scale, c.causal, a.q.data(),
                 a.k.data(), a.v.data(), a.out.data(), a.lse.data());
  return a;
}

TEST(CpuKernelsAttention, MatchesReference) {
  unsigned seed = 300;
  for (const AttentionCase &c : kAttentionCases) {
    AttentionData a = runAttention(c, seed);
    seed += 10;
    auto r = ref::attention(
        tensor({c.batch, c.lq, c.d}, a.q), tensor({c.batch, c.lk, c.d}, a.k),
        tensor({c.batch, c.lk, c.dv}, a.v), c.scale, c.causal);
    expectClose("out " + describe(c), a.out, r.output);
    expectClose("lse " + describe(c), a.lse, r.lse);
  }
}

struct AttentionGradOutputs {
  std::vector<float> dq, dk, dv;
};

AttentionGradOutputs runAttentionGrad(const AttentionCase &c,
                                      const AttentionData &a) {
  AttentionGradOutputs g{std::vector<float>(a.q.size(), std::nanf("")),
                         std::vector<float>(a.k.size(), std::nanf("")),
                         std::vector<float>(a.v.size(), std::nanf(""))};
  cpu::attentionGrad(c.batch, c.lq, c.lk, c.d, c.dv, c.scale, c.causal,
                     a.grad.data(), a.q.data(), a.k.data(), a.v.data(),
                     a.out.data(), a.lse.data(), g.dq.data(), g.dk.data(),
                     g.dv.data());
  return g;
}

TEST(CpuKernelsAttention, GradMatchesReference) {
  unsigned seed = 400;
  for (const AttentionCase &c : kAttentionCases) {
    AttentionData a = runAttention(c, seed);
    seed += 10;
    AttentionGradOutputs g = runAttentionGrad(c, a);
    auto r = ref::attentionGrad(
        tensor({c.batch, c.lq, c.dv}, a.grad),
        tensor({c.batch, c.lq, c.d}, a.q), tensor({c.batch, c.lk, c.d}, a.k),
        tensor({c.batch, c.lk, c.dv}, a.v),
        tensor({c.batch, c.lq, c.dv}, a.out), tensor({c.batch, c.lq}, a.lse),
        c.scale, c.causal);
    expectClose("dq " + describe(c), g.dq, r.queryGrad);
    expectClose("dk " + describe(c), g.dk, r.keyGrad);
    expectClose("dv " + describe(c), g.dv, r.valueGrad);
  }
}

TEST(CpuKernelsAttention, GradIsBitwiseDeterministic) {
  for (const AttentionCase &c :
       {AttentionCase{8, 65, 65, 64, 64, false, 0.125f},
        AttentionCase{4, 77, 77, 32, 32, true, 0.18f},
        AttentionCase{1, 50, 60, 16, 8, false, 0.25f}}) {
    AttentionData a = runAttention(c, 77);
    AttentionGradOutputs first = runAttentionGrad(c, a);
    for (int run = 0; run < 3; ++run) {
      AttentionData again = runAttention(c, 77);
      EXPECT_TRUE(bitwiseEqual(a.out, again.out)) << describe(c);
      EXPECT_TRUE(bitwiseEqual(a.lse, again.lse)) << describe(c);
      AttentionGradOutputs second = runAttentionGrad(c, again);
      EXPECT_TRUE(bitwiseEqual(first.dq, second.dq)) << describe(c);
      EXPECT_TRUE(bitwiseEqual(first.dk, second.dk)) << describe(c);
      EXPECT_TRUE(bitwiseEqual(first.dv, second.dv)) << describe(c);
    }
  }
}

//===----------------------------------------------------------------------===//
// Contrastive loss.
//===----------------------------------------------------------------------===//

struct ContrastiveData {
  int64_t n = 0, d = 0;
  float logitScale = 0, epsilon = 0;
  std::vector<float> image, text;
  float loss = 0;
  std::vector<float> imageNorm, textNorm, imageLse, textLse;
};

/// Random embeddings; with `clamp`, image row 2 is tiny and text row 1 is
/// zero, so their norms clamp at epsilon.
ContrastiveData runContrastive(int64_t n, int64_t d, bool clamp,
                               unsigned seed) {
  ContrastiveData c;
  c.n = n;
  c.d = d;
  c.logitScale = std::log(1.0f / 0.07f);
  c.epsilon = clamp ? 1e-3f : 1e-12f;
  c.image = random(n * d, seed);
  c.text = random(n * d, seed + 1);
  if (clamp) {
    for (int64_t e = 0; e < d; ++e) {
      c.image[2 * d + e] *= 1e-5f;
      c.text[1 * d + e] = 0.0f;
    }
  }
  c.imageNorm.assign(n, 0.0f);
  c.textNorm.assign(n, 0.0f);
  c.imageLse.assign(n, 0.0f);
  c.textLse.assign(n, 0.0f);
  cpu::contrastiveLoss(n, d, c.image.data(), c.text.data(), &c.logitScale,
                       c.epsilon, &c.loss, c.imageNorm.data(),
                       c.textNorm.data(), c.imageLse.data(), c.textLse.data());
  return c;
}

TEST(CpuKernelsContrastiveLoss, MatchesReference) {
  for (auto [n, d, clamp] : {std::tuple<int64_t, int64_t, bool>{13, 24, true},
                             {64, 32, false},
                             {200, 48, true},
                             // several row blocks and column tiles, ragged
                             {600, 40, true}}) {
    ContrastiveData c = runContrastive(n, d, clamp, 500 + n);
    auto r =
        ref::contrastiveLoss(tensor({n, d}, c.image), tensor({n, d}, c.text),
                             c.logitScale, c.epsilon);
    const std::string what =
        "n " + std::to_string(n) + " clamp " + std::to_string(clamp);
    if (clamp) {
      EXPECT_EQ(c.imageNorm[2], c.epsilon);
      EXPECT_EQ(c.textNorm[1], c.epsilon);
    }
    expectClose("loss " + what, &c.loss, r.loss);
    expectClose("imageNorm " + what, c.imageNorm, r.imageNorm);
    expectClose("textNorm " + what, c.textNorm, r.textNorm);
    expectClose("imageLse " + what, c.imageLse, r.imageLse);
    expectClose("textLse " + what, c.textLse, r.textLse);
  }
}

TEST(CpuKernelsContrastiveLoss, GradMatchesReference) {
  for (auto [n, d, clamp] : {std::tuple<int64_t, int64_t, bool>{13, 24, true},
                             {64, 32, false},
                             {200, 48, true},
                             // several row blocks and column tiles, ragged
                             {600, 40, true}}) {
    ContrastiveData c = runContrastive(n, d, clamp, 600 + n);
    const float grad = 0.7f;
    std::vector<float> dimage(n * d, std::nanf("")),
        dtext(n * d, std::nanf(""));
    float dscale = std::nanf("");
    cpu::contrastiveLossGrad(
        n, d, &grad, c.image.data(), c.text.data(), &c.logitScale,
        c.imageNorm.data(), c.textNorm.data(), c.imageLse.data(),
        c.textLse.data(), c.epsilon, dimage.data(), dtext.data(), &dscale);
    auto r = ref::contrastiveLossGrad(
        grad, tensor({n, d}, c.image), tensor({n, d}, c.text), c.logitScale,
        tensor({n, 1}, c.imageNorm), tensor({n, 1}, c.textNorm),
        tensor({n}, c.imageLse), tensor({n}, c.textLse), c.epsilon);
    const std::string what =
        "n " + std::to_string(n) + " clamp " + std::to_string(clamp);
    expectClose("dimage " + what, dimage, r.imageGrad);
    expectClose("dtext " + what, dtext, r.textGrad);
    expectClose("dlogitScale " + what, &dscale, r.logitScaleGrad);
    if (clamp) {
      // The clamped rows: da / epsilon, no projection.
      std::vector<double> row(r.imageGrad.data.begin() + 2 * d,
                              r.imageGrad.data.begin() + 3 * d);
      expectClose("clamped image row " + what, dimage.data() + 2 * d,
                  Tensor({d}, row));
    }
  }
}

// The shards of the data-parallel loss: each process's share over the
// gathered batch; their mean, and the mean of their gradients (what the
// reduce-scatter and the gradient all-reduce sum, divided by the process
// count), is the whole batch's loss and gradient (f64 reference).
TEST(CpuKernelsContrastiveLoss, ShardsAverageToTheWholeBatch) {
  for (auto [n, d, shards] :
       {std::tuple<int64_t, int64_t, int64_t>{13, 24, 1},
        {64, 32, 2},
        {600, 40, 2}, // several row blocks and column tiles, ragged
        {600, 40, 3}}) {
    ContrastiveData c = runContrastive(n, d, true, 800 + n);
    auto r =
        ref::contrastiveLoss(tensor({n, d}, c.image), tensor({n, d}, c.text),
                             c.logitScale, c.epsilon);
    auto g = ref::contrastiveLossGrad(
        1.0, tensor({n, d}, c.image), tensor({n, d}, c.text), c.logitScale,
        r.imageNorm, r.textNorm, r.imageLse, r.textLse, c.epsilon);
    const int64_t m = n / shards;
    double loss = 0.0, dscale = 0.0;
    std::vector<double> dimage(n * d, 0.0), dtext(n * d, 0.0);
    for (int64_t k = 0; k < shards; ++k) {
      double shardLoss = NAN, shardScale = NAN;
      std::vector<float> di(n * d, std::nanf("")), dt(n * d, std::nanf(""));
      cpu::contrastiveLossShard(n, d, k * m, m, c.image.data(), c.text.data(),
                                c.logitScale, c.epsilon, &shardLoss, di.data(),
                                dt.data(), &shardScale);
      loss += shardLoss / shards;
      dscale += shardScale / shards;
      for (int64_t e = 0; e < n * d; ++e) {
        dimage[e] += di[e] / shards;
        dtext[e] += dt[e] / shards;
      }
    }
    const std::string what =
        "n " + std::to_string(n) + " shards " + std::to_string(shards);
    std::vector<float> lossF{static_cast<float>(loss)},
        scaleF{static_cast<float>(dscale)};
    std::vector<float> dimageF(dimage.begin(), dimage.end()),
        dtextF(dtext.begin(), dtext.end());
    expectClose("loss " + what, lossF.data(), r.loss);
    expectClose("dimage " + what, dimageF, g.imageGrad);
    expectClose("dtext " + what, dtextF, g.textGrad);
    expectClose("dlogitScale " + what, scaleF.data(), g.logitScaleGrad);
  }
}

// SigLIP's sigmoid loss on the same data, bias -10 and scale ln 10 as
// OpenCLIP starts them, and a trained-looking scale and bias.
TEST(CpuKernelsSigmoidLoss, LossAndGradMatchReference) {
  for (auto [n, d, clamp, scale, bias] :
       {std::tuple<int64_t, int64_t, bool, float, float>{
            13, 24, true, std::log(10.0f), -10.0f},
        {64, 32, false, 3.0f, -4.0f},
        // several row blocks and column tiles, ragged
        {600, 40, true, std::log(10.0f), -10.0f}}) {
    ContrastiveData c = runContrastive(n, d, clamp, 900 + n);
    float loss = NAN;
    std::vector<float> imageNorm(n), textNorm(n);
    cpu::sigmoidLoss(n, d, c.image.data(), c.text.data(), &scale, &bias,
                     c.epsilon, &loss, imageNorm.data(), textNorm.data());
    auto r = ref::sigmoidLoss(tensor({n, d}, c.image), tensor({n, d}, c.text),
                              scale, bias, c.epsilon);
    const std::string what =
        "n " + std::to_string(n) + " clamp " + std::to_string(clamp);
    expectClose("loss " + what, &loss, r.loss);
    expectClose("imageNorm " + what, imageNorm, r.imageNorm);
    expectClose("textNorm " + what, textNorm, r.textNorm);

    const float grad = 0.7f;
    std::vector<float> dimage(n * d, std::nanf("")),
        dtext(n * d, std::nanf(""));
    float dscale = std::nanf(""), dbias = std::nanf("");
    cpu::sigmoidLossGrad(n, d, &grad, c.image.data(), c.text.data(), &scale,
                         &bias, imageNorm.data(), textNorm.data(), c.epsilon,
                         dimage.data(), dtext.data(), &dscale, &dbias);
    auto g = ref::sigmoidLossGrad(grad, tensor({n, d}, c.image),
                                  tensor({n, d}, c.text), scale, bias,
                                  r.imageNorm, r.textNorm, c.epsilon);
    expectClose("dimage " + what, dimage, g.imageGrad);
    expectClose("dtext " + what, dtext, g.textGrad);
    expectClose("dlogitScale " + what, &dscale, g.logitScaleGrad);
    expectClose("dlogitBias " + what, &dbias, g.logitBiasGrad);
  }
}

// The data-parallel shares: their mean (loss and every gradient) is the
// whole batch's.
TEST(CpuKernelsSigmoidLoss, ShardsAverageToTheWholeBatch) {
  for (auto [n, d, shards] :
       {std::tuple<int64_t, int64_t, int64_t>{13, 24, 1},
        {64, 32, 2},
        {600, 40, 3}}) {
    ContrastiveData c = runContrastive(n, d, true, 1000 + n);
    const float scale = 2.5f, bias = -6.0f;
    auto r = ref::sigmoidLoss(tensor({n, d}, c.image), tensor({n, d}, c.text),
                              scale, bias, c.epsilon);
    auto g = ref::sigmoidLossGrad(1.0, tensor({n, d}, c.image),
                                  tensor({n, d}, c.text), scale, bias,
                                  r.imageNorm, r.textNorm, c.epsilon);
    const int64_t m = n / shards;
    double loss = 0.0, dscale = 0.0, dbias = 0.0;
    std::vector<double> dimage(n * d, 0.0), dtext(n * d, 0.0);
    for (int64_t k = 0; k < shards; ++k) {
      double shardLoss = NAN, shardScale = NAN, shardBias = NAN;
      std::vector<float> di(n * d, std::nanf("")), dt(n * d, std::nanf(""));
      cpu::sigmoidLossShard(n, d, k * m, m, c.image.data(), c.text.data(),
                            scale, bias, c.epsilon, &shardLoss, di.data(),
                            dt.data(), &shardScale, &shardBias);
      loss += shardLoss / shards;
      dscale += shardScale / shards;
      dbias += shardBias / shards;
      for (int64_t e = 0; e < n * d; ++e) {
        dimage[e] += di[e] / shards;
        dtext[e] += dt[e] / shards;
      }
    }
    const std::string what =
        "n " + std::to_string(n) + " shards " + std::to_string(shards);
    std::vector<float> lossF{static_cast<float>(loss)},
        scaleF{static_cast<float>(dscale)}, biasF{static_cast<float>(dbias)};
    std::vector<float> dimageF(dimage.begin(), dimage.end()),
        dtextF(dtext.begin(), dtext.end());
    expectClose("loss " + what, lossF.data(), r.loss);
    expectClose("dimage " + what, dimageF, g.imageGrad);
    expectClose("dtext " + what, dtextF, g.textGrad);
    expectClose("dlogitScale " + what, scaleF.data(), g.logitScaleGrad);
    expectClose("dlogitBias " + what, biasF.data(), g.logitBiasGrad);
  }
}

//===----------------------------------------------------------------------===//
// Convolution and pooling.
//===----------------------------------------------------------------------===//

std::vector<cpu::Conv2DShape> convCases() {
  return {
      // groups 2, uneven stride / padding / dilation
      convShape(2, 4, 9, 11, 6, 3, 2, 2, 1, 1, 2, 2, 1, 2),
      convShape(3, 6, 8, 8, 9, 3, 3, 1, 1, 1, 1, 1, 1, 3),
      convShape(2, 8, 5, 7, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1),   // pointwise
      convShape(4, 3, 16, 16, 8, 4, 4, 4, 4, 0, 0, 1, 1, 1), // patchify
      convShape(4, 4, 7, 6, 8, 3, 3, 2, 2, 1, 1, 1, 1, 4),   // depthwise x2
      convShape(1, 5, 12, 10, 7, 5, 3, 3, 2, 2, 0, 1, 2, 1),
      convShape(6, 16, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      convShape(3, 16, 20, 20, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1), // split GEMMs
  };
}

TEST(CpuKernelsConv2D, MatchesReference) {
  unsigned seed = 700;
  for (const cpu::Conv2DShape &s : convCases())
    for (bool withBias : {false, true}) {
      const int64_t cg = s.channels / s.groups;
      auto x = random(s.n * s.channels * s.height * s.width, seed++);
      auto w = random(s.outChannels * cg * s.kernelH * s.kernelW, seed++);
      auto bias = random(s.outChannels, seed++);
      std::vector<float> out(s.n * s.outChannels * s.outHeight * s.outWidth,
                             std::nanf(""));
      cpu::conv2d(s, x.data(), w.data(), withBias ? bias.data() : nullptr,
                  out.data());
      Tensor b = tensor({s.outChannels}, bias);
      Tensor expected =
          ref::conv2d(tensor({s.n, s.channels, s.height, s.width}, x),
                      tensor({s.outChannels, cg, s.kernelH, s.kernelW}, w),
                      withBias ? &b : nullptr, {s.strideH, s.strideW},
                      {s.padH, s.padW}, {s.dilationH, s.dilationW}, s.groups);
      ASSERT_EQ(expected.shape[2], s.outHeight);
      ASSERT_EQ(expected.shape[3], s.outWidth);
      expectClose(describe(s) + " bias " + std::to_string(withBias), out,
                  expected);
    }
}

TEST(CpuKernelsConv2D, GradMatchesReference) {
  unsigned seed = 800;
  for (const cpu::Conv2DShape &s : convCases()) {
    const int64_t cg = s.channels / s.groups;
    auto x = random(s.n * s.channels * s.height * s.width, seed++);
    auto w = random(s.outChannels * cg * s.kernelH * s.kernelW, seed++);
    auto grad = random(s.n * s.outChannels * s.outHeight * s.outWidth, seed++);
    std::vector<float> dx(x.size(), std::nanf("")), dw(w.size(), std::nanf(""));
    cpu::conv2dGrad(s, grad.data(), x.data(), w.data(), dx.data(), dw.data());
    auto r = ref::conv2dGrad(
        tensor({s.n, s.outChannels, s.outHeight, s.outWidth}, grad),
        tensor({s.n, s.channels, s.height, s.width}, x),
        tensor({s.outChannels, cg, s.kernelH, s.kernelW}, w),
        {s.strideH, s.strideW}, {s.padH, s.padW}, {s.dilationH, s.dilationW},
        s.groups);
    expectClose("dx " + describe(s), dx, r.inputGrad);
    expectClose("dw " + describe(s), dw, r.weightGrad);
  }
}

TEST(CpuKernelsConv2D, GradIsBitwiseDeterministic) {
  const cpu::Conv2DShape s =
      convShape(8, 6, 12, 12, 10, 3, 3, 1, 1, 1, 1, 1, 1, 2);
  auto x = random(s.n * s.channels * s.height * s.width, 1);
  auto w = random(s.outChannels * 3 * 9, 2);
  auto grad = random(s.n * s.outChannels * s.outHeight * s.outWidth, 3);
  std::vector<float> dx1(x.size()), dw1(w.size()), dx2(x.size()), dw2(w.size());
  cpu::conv2dGrad(s, grad.data(), x.data(), w.data(), dx1.data(), dw1.data());
  cpu::conv2dGrad(s, grad.data(), x.data(), w.data(), dx2.data(), dw2.data());
  EXPECT_TRUE(bitwiseEqual(dx1, dx2));
  EXPECT_TRUE(bitwiseEqual(dw1, dw2));
}

TEST(CpuKernelsPool, AvgPoolAndGradMatchReference) {
  struct Case {
    int64_t n, c, h, w, kh, kw, sh, sw, ph, pw;
  };
  unsigned seed = 900;
  for (const Case &k :
       {Case{2, 3, 7, 9, 3, 2, 2, 2, 1, 1}, Case{1, 2, 8, 8, 2, 2, 2, 2, 0, 0},
        Case{3, 4, 14, 14, 3, 3, 1, 1, 1, 1},
        Case{2, 64, 28, 28, 2, 2, 2, 2, 0, 0}}) {
    cpu::Pool2DShape s;
    s.planes = k.n * k.c;
    s.height = k.h;
    s.width = k.w;
    s.kernelH = k.kh;
    s.kernelW = k.kw;
    s.strideH = k.sh;
    s.strideW = k.sw;
    s.padH = k.ph;
    s.padW = k.pw;
    s.outHeight = (k.h + 2 * k.ph - k.kh) / k.sh + 1;
    s.outWidth = (k.w + 2 * k.pw - k.kw) / k.sw + 1;
    auto x = random(s.planes * k.h * k.w, seed++);
    std::vector<float> out(s.planes * s.outHeight * s.outWidth);
    cpu::avgPool2d(s, x.data(), out.data());
    Tensor expected = ref::avgPool2d(tensor({k.n, k.c, k.h, k.w}, x),
                                     {k.kh, k.kw}, {k.sh, k.sw}, {k.ph, k.pw});
    expectClose("avgPool2d", out, expected);

    auto grad = random(out.size(), seed++);
    std::vector<float> dx(x.size(), std::nanf(""));
    cpu::avgPool2dGrad(s, grad.data(), dx.data());
    Tensor expectedGrad = ref::avgPool2dGrad(
        tensor({k.n, k.c, s.outHeight, s.outWidth}, grad), {k.n, k.c, k.h, k.w},
        {k.kh, k.kw}, {k.sh, k.sw}, {k.ph, k.pw});
    expectClose("avgPool2dGrad", dx, expectedGrad);
  }
}

//===----------------------------------------------------------------------===//
// BatchNorm.
//===----------------------------------------------------------------------===//

TEST(CpuKernelsBatchNorm, InferenceAndTrainingMatchReference) {
  for (auto [n, c, spatial] : {std::tuple<int64_t, int64_t, int64_t>{3, 5, 21},
                               {2, 64, 196},
                               {1, 3, 1000}}) {
    auto x = random(n * c * spatial, 1000 + c, -1.0f, 3.0f);
    auto scale = random(c, 1001 + c, 0.5f, 1.5f);
    auto bias = random(c, 1002 + c);
    auto mean = random(c, 1003 + c);
    auto var = random(c, 1004 + c, 0.2f, 2.0f);
    const float epsilon = 1e-5f, momentum = 0.1f;
    const std::string what = "n " + std::to_string(n) + " c " +
                             std::to_string(c) + " spatial " +
                             std::to_string(spatial);

    std::vector<float> out(x.size());
    cpu::batchNorm(n, c, spatial, x.data(), scale.data(), bias.data(),
                   mean.data(), var.data(), epsilon, out.data());
    Tensor expected = ref::batchNorm(
        tensor({n, c, spatial}, x), tensor({c}, scale), tensor({c}, bias),
        tensor({c}, mean), tensor({c}, var), epsilon);
    expectClose("batchNorm " + what, out, expected);

    std::vector<float> trainOut(x.size()), newMean(c), newVar(c);
    cpu::batchNormTrain(n, c, spatial, x.data(), scale.data(), bias.data(),
                        mean.data(), var.data(), epsilon, momentum,
                        trainOut.data(), newMean.data(), newVar.data());
    auto r = ref::batchNormTrain(tensor({n, c, spatial}, x), tensor({c}, scale),
                                 tensor({c}, bias), tensor({c}, mean),
                                 tensor({c}, var), epsilon, momentum);
    expectClose("batchNormTrain out " + what, trainOut, r.output);
    expectClose("running mean " + what, newMean, r.runningMean);
    expectClose("running var " + what, newVar, r.runningVar);
  }
}

//===----------------------------------------------------------------------===//
// Data movement.
//===----------------------------------------------------------------------===//

TEST(CpuKernelsDataMovement, StridedCopyTransposeBroadcastSliceConcat) {
  // Transpose [3, 4, 5] by (2, 0, 1), and a large head-split transpose.
  for (auto shape :
       {std::vector<int64_t>{3, 4, 5}, std::vector<int64_t>{16, 77, 8, 64}}) {
    const int rank = static_cast<int>(shape.size());
    std::vector<int64_t> perm(rank);
    if (rank == 3)
      perm = {2, 0, 1};
    else
      perm = {0, 2, 1, 3};
    auto x = random(product(shape), 1100 + rank);
    auto xs = stridesOf(shape);
    std::vector<int64_t> outShape(rank), srcStrides(rank);
    for (int d = 0; d < rank; ++d) {
      outShape[d] = shape[perm[d]];
      srcStrides[d] = xs[perm[d]];
    }
    std::vector<float> out(x.size());
    cpu::stridedCopy(rank, outShape.data(), x.data(), srcStrides.data(),
                     out.data(), stridesOf(outShape).data());
    expectClose("transpose", out, ref::transpose(tensor(shape, x), perm));
  }
  {
    // Broadcast [4, 1] to [3, 4, 5] (and a big one: columns split).
    auto x = random(4, 1200);
    const int64_t shape[] = {3, 4, 5}, src[] = {0, 1, 0}, dst[] = {20, 5, 1};
    std::vector<float> out(60);
    cpu::stridedCopy(3, shape, x.data(), src, out.data(), dst);
    expectClose("broadcast", out,
                ref::broadcastTo(tensor({4, 1}, x), {3, 4, 5}));
    auto row = random(100000, 1201);
    const int64_t bigShape[] = {2, 100000}, bigSrc[] = {0, 1},
                  bigDst[] = {100000, 1};
    std::vector<float> big(200000);
    cpu::stridedCopy(2, bigShape, row.data(), bigSrc, big.data(), bigDst);
    expectClose("broadcast rows", big,
                ref::broadcastTo(tensor({1, 100000}, row), {2, 100000}));
  }
  {
    // Slice [6, 10] axis 1 from 1 to 9 step 3; then slice_grad back.
    auto x = random(60, 1300);
    const int64_t shape[] = {6, 3}, src[] = {10, 3}, dst[] = {3, 1};
    std::vector<float> out(18);
    cpu::stridedCopy(2, shape, x.data() + 1, src, out.data(), dst);
    expectClose("slice", out, ref::slice(tensor({6, 10}, x), 1, 1, 9, 3));
    std::vector<float> grad(60, 0.0f);
    cpu::fill(grad.data(), 60, 0.0f);
    cpu::stridedCopy(2, shape, out.data(), dst, grad.data() + 1, src);
    expectClose("slice_grad", grad,
                ref::sliceGrad(tensor({6, 3}, out), {6, 10}, 1, 1, 3));
  }
  {
    // Concat [2, 3, 4] and [2, 5, 4] along axis 1.
    auto a = random(24, 1400), b = random(40, 1401);
    std::vector<float> out(64);
    const int64_t aShape[] = {2, 3, 4}, aSrc[] = {12, 4, 1};
    const int64_t bShape[] = {2, 5, 4}, bSrc[] = {20, 4, 1};
    const int64_t dst[] = {32, 4, 1};
    cpu::stridedCopy(3, aShape, a.data(), aSrc, out.data(), dst);
    cpu::stridedCopy(3, bShape, b.data(), bSrc, out.data() + 12, dst);
    Tensor ta = tensor({2, 3, 4}, a), tb = tensor({2, 5, 4}, b);
    expectClose("concat", out, ref::concat({&ta, &tb}, 1));
  }
  {
    // i64 transpose, compared exactly.
    std::vector<int64_t> x(24);
    std::iota(x.begin(), x.end(), 1000);
    const int64_t shape[] = {4, 6}, src[] = {1, 4}, dst[] = {6, 1};
    std::vector<int64_t> out(24, -1);
    cpu::stridedCopy(2, shape, x.data(), src, out.data(), dst);
    Tensor expected = ref::transpose(tensor({6, 4}, x), {1, 0});
    for (int i = 0; i < 24; ++i)
      EXPECT_EQ(out[i], static_cast<int64_t>(expected.data[i]));
  }
  {
    // Scalar (rank 0) and fill.
    float value = 3.5f, out = 0.0f;
    cpu::stridedCopy(0, nullptr, &value, nullptr, &out, nullptr);
    EXPECT_EQ(out, 3.5f);
    std::vector<float> filled(70000, 0.0f);
    cpu::fill(filled.data(), 70000, -2.25f);
    EXPECT_TRUE(std::all_of(filled.begin(), filled.end(),
                            [](float v) { return v == -2.25f; }));
  }
}

void checkReduce(std::vector<int64_t> shape, std::vector<int64_t> axes,
                 cpu::Reduction kind, unsigned seed, bool withNan = false) {
  const int rank = static_cast<int>(shape.size());
  auto x = random(product(shape), seed, -3.0f, 2.0f);
  if (withNan)
    x[x.size() / 3] = std::nanf("");
  std::vector<int64_t> kept = shape;
  for (int64_t a : axes)
    kept[a] = 1;
  std::vector<int64_t> dstStrides = stridesOf(kept);
  for (int64_t a : axes)
    dstStrides[a] = 0;
  std::vector<float> out(product(kept), 12345.0f);
  cpu::reduce(kind, rank, shape.data(), x.data(), dstStrides.data(), out.data(),
              static_cast<int64_t>(out.size()));
  const ref::Reduction refKind =
      kind == cpu::Reduction::Sum    ? ref::Reduction::Sum
      : kind == cpu::Reduction::Mean ? ref::Reduction::Mean
                                     : ref::Reduction::Max;
  Tensor expected = ref::reduce(tensor(shape, x), axes, true, refKind);
  std::string what =
      "kind " + std::to_string(static_cast<int>(kind)) + " shape";
  for (int64_t s : shape)
    what += " " + std::to_string(s);
  what += " axes";
  for (int64_t a : axes)
    what += " " + std::to_string(a);
  if (withNan) {
    // NaN where the reference has NaN, the rest compared as usual.
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(std::isnan(out[i]), std::isnan(expected.data[i])) << what;
      if (std::isnan(expected.data[i])) {
        expected.data[i] = 0.0;
        out[i] = 0.0f;
      }
    }
  }
  expectClose(what, out, expected);
}

TEST(CpuKernelsDataMovement, ReduceMatchesReference) {
  const std::vector<std::vector<int64_t>> axesList = {
      {0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1}, {0, 1, 2}};
  unsigned seed = 1500;
  for (cpu::Reduction kind :
       {cpu::Reduction::Sum, cpu::Reduction::Mean, cpu::Reduction::Max}) {
    for (const auto &axes : axesList)
      checkReduce({4, 5, 6}, axes, kind, seed++);
    checkReduce({3, 1, 7, 2}, {1, 3}, kind, seed++);  // size-1 dims
    checkReduce({64, 300, 33}, {1}, kind, seed++);    // kept inner, threads
    checkReduce({64, 300, 33}, {2}, kind, seed++);    // reduced inner
    checkReduce({2, 3000, 40}, {0, 1}, kind, seed++); // few outputs
    checkReduce({5, 6, 7, 8}, {0, 2}, kind, seed++);  // alternating
  }
  checkReduce({4, 5, 6}, {1}, cpu::Reduction::Max, seed++, true);
  checkReduce({4, 5, 6}, {2}, cpu::Reduction::Max, seed++, true);
}

TEST(CpuKernelsDataMovement, ArgmaxMatchesReference) {
  for (auto [outer, axis, inner] :
       {std::tuple<int64_t, int64_t, int64_t>{3, 7, 5},
        {4, 9, 1},
        {2, 50, 600}}) {
    // Few distinct values: ties pick the first maximum.
    auto x = random(outer * axis * inner, 1600 + inner);
    for (float &v : x)
      v = std::round(v * 2.0f);
    // A NaN is the maximum and the first one wins: two NaNs down column 0
    // (rows 1 and 3) of the first slice, one at the very end.
    x[1 * inner] = std::nanf("");
    x[3 * inner] = std::nanf("");
    x[x.size() - 1] = std::nanf("");
    std::vector<int64_t> out(outer * inner, -1);
    cpu::argmax(outer, axis, inner, x.data(), out.data());
    Tensor expected = ref::argmax(tensor({outer, axis, inner}, x), 1, false);
    for (size_t i = 0; i < out.size(); ++i)
      ASSERT_EQ(out[i], static_cast<int64_t>(expected.data[i])) << i;
    EXPECT_EQ(out[0], 1);

    std::vector<int64_t> xi(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      xi[i] = std::isnan(x[i]) ? 0 : static_cast<int64_t>(x[i]);
    std::vector<int64_t> outI(outer * inner, -1);
    cpu::argmax(outer, axis, inner, xi.data(), outI.data());
    Tensor expectedI = ref::argmax(tensor({outer, axis, inner}, xi), 1, false);
    for (size_t i = 0; i < outI.size(); ++i)
      ASSERT_EQ(outI[i], static_cast<int64_t>(expectedI.data[i])) << i;
  }
}

TEST(CpuKernelsDataMovement, SoftmaxMatchesReference) {
  for (auto [outer, axis, inner] :
       {std::tuple<int64_t, int64_t, int64_t>{4, 9, 1},
        {3, 10, 7},
        {1, 1000, 1},
        {50, 77, 1},
        {2, 33, 600}}) {
    for (bool log : {false, true}) {
      auto x = random(outer * axis * inner, 1700 + axis, -8.0f, 8.0f);
      x[0] = -std::numeric_limits<float>::infinity();
      std::vector<float> out(x.size());
      cpu::softmax(outer, axis, inner, log, x.data(), out.data());
      Tensor expected = ref::softmax(tensor({outer, axis, inner}, x), 1, log);
      if (log) { // -inf: compare the finite entries
        EXPECT_EQ(out[0], -std::numeric_limits<float>::infinity());
        expected.data[0] = 0.0;
        out[0] = 0.0f;
      }
      expectClose("softmax log " + std::to_string(log) + " inner " +
                      std::to_string(inner),
                  out, expected);
    }
  }
}

struct GatherCase {
  int64_t batch, pre, axis, inner, count;
  bool batchDims; // indices [batch, count] with batch_dims 1, else [count]
};

TEST(CpuKernelsDataMovement, GatherAndGradMatchReference) {
  unsigned seed = 1800;
  for (const GatherCase &c :
       {GatherCase{2, 3, 5, 4, 6, true}, GatherCase{1, 1, 50, 8, 14, false},
        GatherCase{3, 1, 7, 2, 1, true}, GatherCase{1, 1, 100, 64, 500, false},
        GatherCase{1, 4, 6, 1, 9, false}}) {
    auto x = random(c.batch * c.pre * c.axis * c.inner, seed++);
    auto indices = randomIndices(c.batch * c.count, c.axis, seed++);
    indices[0] = c.axis - 1;
    if (c.count > 2)
      indices[2] = indices[1]; // repeated
    // x [batch?, pre, axis, inner]; indices [batch?, count].
    std::vector<int64_t> xShape, iShape;
    if (c.batchDims)
      xShape.push_back(c.batch), iShape.push_back(c.batch);
    if (c.pre > 1 || !c.batchDims)
      xShape.push_back(c.pre);
    const int64_t axisDim = static_cast<int64_t>(xShape.size());
    xShape.push_back(c.axis);
    xShape.push_back(c.inner);
    iShape.push_back(c.count);
    std::string error;
    auto expected = ref::gather(tensor(xShape, x), tensor(iShape, indices),
                                axisDim, c.batchDims ? 1 : 0, error);
    ASSERT_TRUE(expected.has_value()) << error;
    std::vector<float> out(c.batch * c.pre * c.count * c.inner, std::nanf(""));
    EXPECT_EQ(cpu::gather(c.batch, c.pre, c.axis, c.inner, c.count, x.data(),
                          indices.data(), out.data()),
              -1);
    expectClose("gather", out, *expected);

    std::vector<int64_t> xi(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      xi[i] = static_cast<int64_t>(x[i] * 1000.0f);
    std::vector<int64_t> outI(out.size(), -7);
    EXPECT_EQ(cpu::gather(c.batch, c.pre, c.axis, c.inner, c.count, xi.data(),
                          indices.data(), outI.data()),
              -1);
    auto expectedI = ref::gather(tensor(xShape, xi), tensor(iShape, indices),
                                 axisDim, c.batchDims ? 1 : 0, error);
    for (size_t i = 0; i < outI.size(); ++i)
      ASSERT_EQ(outI[i], static_cast<int64_t>(expectedI->data[i]));

    auto grad = random(out.size(), seed++);
    std::vector<float> dx(x.size(), std::nanf(""));
    EXPECT_EQ(cpu::gatherGrad(c.batch, c.pre, c.axis, c.inner, c.count,
                              grad.data(), indices.data(), dx.data()),
              -1);
    std::vector<int64_t> gShape = xShape;
    gShape[axisDim] = c.count;
    auto expectedGrad =
        ref::gatherGrad(tensor(gShape, grad), tensor(iShape, indices), xShape,
                        axisDim, c.batchDims ? 1 : 0, error);
    ASSERT_TRUE(expectedGrad.has_value()) << error;
    expectClose("gatherGrad", dx, *expectedGrad);
  }
}

TEST(CpuKernelsDataMovement, GatherReportsFirstBadIndex) {
  const int64_t batch = 2, pre = 1, axis = 5, inner = 3, count = 4;
  auto x = random(batch * pre * axis * inner, 1900);
  std::vector<int64_t> indices = {0, 1, 4, 2, 3, 5, -1, 2}; // 5 at [1, 1]
  std::vector<float> out(batch * pre * count * inner, 42.0f);
  EXPECT_EQ(cpu::gather(batch, pre, axis, inner, count, x.data(),
                        indices.data(), out.data()),
            5);
  // Nothing written past (or before) the bad index.
  EXPECT_TRUE(
      std::all_of(out.begin(), out.end(), [](float v) { return v == 42.0f; }));
  indices[5] = 0;
  EXPECT_EQ(cpu::gather(batch, pre, axis, inner, count, x.data(),
                        indices.data(), out.data()),
            6); // negative
  std::vector<int64_t> xi(x.size(), 1), outI(out.size(), 9);
  EXPECT_EQ(cpu::gather(batch, pre, axis, inner, count, xi.data(),
                        indices.data(), outI.data()),
            6);
  auto grad = random(out.size(), 1901);
  std::vector<float> dx(x.size(), 42.0f);
  EXPECT_EQ(cpu::gatherGrad(batch, pre, axis, inner, count, grad.data(),
                            indices.data(), dx.data()),
            6);
  EXPECT_TRUE(
      std::all_of(dx.begin(), dx.end(), [](float v) { return v == 42.0f; }));
  indices[6] = axis - 1;
  EXPECT_EQ(cpu::gather(batch, pre, axis, inner, count, x.data(),
                        indices.data(), out.data()),
            -1);
}

//===----------------------------------------------------------------------===//
// Threads.
//===----------------------------------------------------------------------===//

TEST(CpuKernelsThreads, SingleThreadedMatchesReference) {
  cpu::setThreads(1);
  checkGemm({4, 40, 30, 20, false, false, false, false, true, true,
             cpu::Activation::QuickGelu},
            2000);
  AttentionCase c{4, 20, 30, 8, 8, false, 0.3f};
  AttentionData a = runAttention(c, 2001);
  auto r = ref::attention(
      tensor({c.batch, c.lq, c.d}, a.q), tensor({c.batch, c.lk, c.d}, a.k),
      tensor({c.batch, c.lk, c.dv}, a.v), c.scale, c.causal);
  expectClose("attention, 1 thread", a.out, r.output);
  runLayerNormGrad(500, 64, 2002, true);
  cpu::setThreads(0); // back to every core
}

} // namespace
