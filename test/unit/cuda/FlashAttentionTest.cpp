//===- FlashAttentionTest.cpp - runtime/cuda/FlashAttention.cuh, emulated -===//
//
// The tensor-core attention, forward and backward, under the warp- and
// MMA-faithful emulator, against clip::cpu::attention (f32) on the same bf16
// inputs, at the models' shapes and ragged ones, causal and not, head dims 32,
// 64 and 128, over several blocks in a shuffled order.
//
// Bounds, from what the kernels round: the forward rounds P to bf16 for
// P V and the output to bf16 once, each at most 2^-9 relative per value
// (about 1.1e-3 RMS for values spread over a binade), so the output's
// relative L2 error is about 2e-3 (measured 1.9e-3 to 2.4e-3): bound 4e-3;
// a wrong fragment, mask or rescale is off by far more. The log-sum-exp is
// f32 throughout (exact bf16 products, f32 sums; measured 1.2e-7): bound
// 2e-6 relative. The backward rounds P and dS for their products and its
// outputs once: dq, dk, dv measured 2.2e-3 to 2.4e-3, bound 4e-3; and two
// runs give the same bits.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cpu/CpuKernels.h"
#include "runtime/cuda/FlashAttention.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace clip::test;

namespace {

struct FlashCase {
  i64 batch, lq, lk;
  bool causal;
};

std::vector<clip::bf16> randomBf16(i64 n, std::mt19937 &rng, float range) {
  std::uniform_real_distribution<float> dist(-range, range);
  std::vector<clip::bf16> v(static_cast<size_t>(n));
  for (auto &x : v)
    x = dist(rng);
  return v;
}

template <int D> void checkForward(const FlashCase &c, unsigned grid) {
  std::mt19937 rng(static_cast<unsigned>(c.lq * 131 + c.lk + D));
  // Scores of a few units, as trained attention has: not all equal.
  const auto q = randomBf16(c.batch * c.lq * D, rng, 1.0f),
             k = randomBf16(c.batch * c.lk * D, rng, 1.0f),
             v = randomBf16(c.batch * c.lk * D, rng, 1.0f);
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  std::vector<float> wantOut(c.batch * c.lq * D), wantLse(c.batch * c.lq);
  const std::vector<float> qf = widen(q), kf = widen(k), vf = widen(v);
  cpu::attention(c.batch, c.lq, c.lk, D, D, scale, c.causal, qf.data(),
                 kf.data(), vf.data(), wantOut.data(), wantLse.data());
  std::vector<clip::bf16> out(c.batch * c.lq * D, clip::bf16(kNan));
  std::vector<float> lse = poisoned(c.batch * c.lq);
  launch(grid, cu::kFlashThreads, [&] {
    cu::flashAttentionForward<D>(c.batch, c.lq, c.lk, scale, c.causal, q.data(),
                                 k.data(), v.data(), out.data(), lse.data());
  });
  double err = 0, norm = 0, lseErr = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const double got = static_cast<float>(out[i]), want = wantOut[i];
    err += (got - want) * (got - want);
    norm += want * want;
  }
  for (size_t i = 0; i < lse.size(); ++i)
    lseErr = std::max(lseErr, std::abs(double(lse[i]) - wantLse[i]) /
                                  std::max(1.0, std::abs(double(wantLse[i]))));
  const double rel = std::sqrt(err / norm);
  std::printf("  flash forward D %d batch %lld lq %lld lk %lld%s: out %.2e, "
              "lse %.2e\n",
              D, c.batch, c.lq, c.lk, c.causal ? " causal" : "", rel, lseErr);
  EXPECT_LE(rel, 4e-3) << "D " << D << " lq " << c.lq << " lk " << c.lk;
  EXPECT_LE(lseErr, 2e-6) << "D " << D << " lq " << c.lq << " lk " << c.lk;
}

TEST(CudaKernelsFlashAttention, ForwardAtTheModelsShapes) {
  // ViT-B/16's 197 tokens, the text tower's 77 (causal), the ViT-B/32's 50
  // and ViT-L/14's 257, each with a ragged last tile.
  checkForward<64>({2, 197, 197, false}, 3);
  checkForward<64>({2, 77, 77, true}, 2);
  checkForward<64>({1, 50, 50, false}, 1);
  checkForward<64>({1, 257, 257, true}, 2);
}

TEST(CudaKernelsFlashAttention, ForwardRaggedAndOtherHeadDims) {
  checkForward<64>({3, 33, 70, false}, 2);  // lq != lk, both ragged
  checkForward<64>({1, 100, 40, true}, 1);  // causal with lq > lk
  checkForward<32>({2, 65, 129, false}, 2); // one row past a tile
  checkForward<128>({1, 64, 64, true}, 1);
}

/// The backward against clip::cpu::attentionGrad on the same bf16 inputs
/// (grad, q, k, v, and the forward's out rounded to bf16 as stored; lse in
/// f32), twice: the two runs must be identical (no atomics).
template <int D> void checkBackward(const FlashCase &c, unsigned grid) {
  std::mt19937 rng(static_cast<unsigned>(c.lq * 7 + c.lk * 3 + D));
  const auto q = randomBf16(c.batch * c.lq * D, rng, 1.0f),
             k = randomBf16(c.batch * c.lk * D, rng, 1.0f),
             v = randomBf16(c.batch * c.lk * D, rng, 1.0f),
             grad = randomBf16(c.batch * c.lq * D, rng, 1.0f);
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  const std::vector<float> qf = widen(q), kf = widen(k), vf = widen(v),
                           gf = widen(grad);
  std::vector<float> outF(c.batch * c.lq * D), lse(c.batch * c.lq);
  cpu::attention(c.batch, c.lq, c.lk, D, D, scale, c.causal, qf.data(),
                 kf.data(), vf.data(), outF.data(), lse.data());
  const std::vector<clip::bf16> out(outF.begin(), outF.end());
  const std::vector<float> outRounded = widen(out);
  std::vector<float> wantDq(qf.size()), wantDk(kf.size()), wantDv(vf.size());
  cpu::attentionGrad(c.batch, c.lq, c.lk, D, D, scale, c.causal, gf.data(),
                     qf.data(), kf.data(), vf.data(), outRounded.data(),
                     lse.data(), wantDq.data(), wantDk.data(), wantDv.data());
  std::vector<clip::bf16> dq[2], dk[2], dv[2];
  for (int run = 0; run < 2; ++run) {
    dq[run].assign(qf.size(), clip::bf16(kNan));
    dk[run].assign(kf.size(), clip::bf16(kNan));
    dv[run].assign(vf.size(), clip::bf16(kNan));
    launch(grid, cu::kFlashThreads, [&] {
      cu::flashAttentionGradQuery<D>(c.batch, c.lq, c.lk, scale, c.causal,
                                     grad.data(), q.data(), k.data(), v.data(),
                                     out.data(), lse.data(), dq[run].data());
    });
    launch(grid, cu::kFlashThreads, [&] {
      cu::flashAttentionGradKeyValue<D>(
          c.batch, c.lq, c.lk, scale, c.causal, grad.data(), q.data(), k.data(),
          v.data(), out.data(), lse.data(), dk[run].data(), dv[run].data());
    });
  }
  const double eq = relL2(dq[0], wantDq), ek = relL2(dk[0], wantDk),
               ev = relL2(dv[0], wantDv);
  std::printf("  flash backward D %d batch %lld lq %lld lk %lld%s: dq %.2e, "
              "dk %.2e, dv %.2e\n",
              D, c.batch, c.lq, c.lk, c.causal ? " causal" : "", eq, ek, ev);
  EXPECT_LE(eq, 4e-3) << "dq, lq " << c.lq << " lk " << c.lk;
  EXPECT_LE(ek, 4e-3) << "dk, lq " << c.lq << " lk " << c.lk;
  EXPECT_LE(ev, 4e-3) << "dv, lq " << c.lq << " lk " << c.lk;
  auto same = [](const std::vector<clip::bf16> &a,
                 const std::vector<clip::bf16> &b) {
    return std::equal(
        a.begin(), a.end(), b.begin(),
        [](clip::bf16 x, clip::bf16 y) { return x.bits == y.bits; });
  };
  EXPECT_TRUE(same(dq[0], dq[1]) && same(dk[0], dk[1]) && same(dv[0], dv[1]))
      << "two runs differ";
}

TEST(CudaKernelsFlashAttention, Backward) {
  // Fewer shapes than the forward: each costs about 25 s of emulated
  // barriers and collectives on 2 cores.
  checkBackward<64>({1, 197, 197, false}, 2);
  checkBackward<64>({1, 77, 77, true}, 2);
  checkBackward<64>({2, 33, 70, false}, 2);
  checkBackward<64>({1, 100, 40, true}, 1);
  checkBackward<32>({1, 65, 129, false}, 2);
}

TEST(CudaKernelsFlashAttention, ForwardWithoutKeys) {
  std::vector<clip::bf16> q(2 * 64, clip::bf16(1.0f)),
      out(2 * 64, clip::bf16(kNan));
  std::vector<float> lse = poisoned(2);
  launch(1, cu::kFlashThreads, [&] {
    cu::flashAttentionForward<64>(1, 2, 0, 0.125f, false, q.data(), nullptr,
                                  nullptr, out.data(), lse.data());
  });
  for (const clip::bf16 &x : out)
    EXPECT_EQ(static_cast<float>(x), 0.0f);
  EXPECT_EQ(lse[0], -kInf);
  EXPECT_EQ(lse[1], -kInf);
}

} // namespace
