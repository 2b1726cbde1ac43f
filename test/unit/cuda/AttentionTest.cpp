//===- AttentionTest.cpp - runtime/cuda/Attention.cuh, emulated -----------===//
//
// Attention forward (also without keys) and backward.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/Attention.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using namespace clip::test;

namespace {

struct AttentionCase {
  i64 batch, lq, lk, d, dv;
  bool causal;
};

std::string describe(const AttentionCase &c) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer),
                "b %lld lq %lld lk %lld d %lld dv %lld causal %d", c.batch,
                c.lq, c.lk, c.d, c.dv, c.causal);
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
      {1, 3, 5, 6, 70, false}, // dv wider than the small blocks
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

} // namespace
