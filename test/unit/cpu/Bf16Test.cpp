//===- Bf16Test.cpp - bf16 storage: rounding, widening, staging -----------===//
//
// clip::bf16 (runtime/kernels/ScalarMath.h) is the storage of `--precision
// bf16` on both targets. Its rounding is checked against an independent
// reference: the two bf16 neighbours of x found by truncation, the nearer one
// chosen by exact double arithmetic, ties to the even one (IEEE 754's
// roundTiesToEven, what the GPU's cvt.rn.bf16.f32 does).
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/CpuKernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace {

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// Round-to-nearest-even of a finite or infinite x to bf16, by value.
uint16_t referenceRound(float x) {
  const uint32_t u = bitsOf(x);
  const uint16_t down = static_cast<uint16_t>(u >> 16); // toward zero
  if ((u & 0xffffu) == 0)
    return down;                                       // exact
  const uint16_t up = static_cast<uint16_t>(down + 1); // away from zero
  const double lo = floatOf(uint32_t(down) << 16);
  const double hi = std::isinf(floatOf(uint32_t(up) << 16))
                        ? std::copysign(std::ldexp(1.0, 128), x) // 2^128
                        : double(floatOf(uint32_t(up) << 16));
  const double dLo = std::fabs(double(x) - lo), dHi = std::fabs(hi - double(x));
  if (dLo != dHi)
    return dLo < dHi ? down : up;
  return (down & 1) ? up : down;
}

TEST(Bf16, RoundsToNearestEvenLikeTheReference) {
  std::mt19937 rng(17);
  std::uniform_int_distribution<uint32_t> any;
  int checked = 0;
  for (int i = 0; i < 2000000; ++i) {
    const float x = floatOf(any(rng));
    if (std::isnan(x))
      continue;
    ASSERT_EQ(clip::bf16(x).bits, referenceRound(x)) << "x = " << x;
    ++checked;
  }
  EXPECT_GT(checked, 1900000);
}

TEST(Bf16, TiesAndEdges) {
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even (1).
  EXPECT_EQ(float(clip::bf16(1.0f + 0x1p-8f)), 1.0f);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: even is the upper.
  EXPECT_EQ(float(clip::bf16(1.0f + 3 * 0x1p-8f)), 1.0f + 0x1p-6f);
  // Just above a tie rounds up.
  EXPECT_EQ(float(clip::bf16(std::nextafter(1.0f + 0x1p-8f, 2.0f))),
            1.0f + 0x1p-7f);
  // The largest float rounds to infinity (past bf16's largest finite).
  EXPECT_TRUE(std::isinf(float(clip::bf16(std::numeric_limits<float>::max()))));
  EXPECT_EQ(float(clip::bf16(-0.0f)), 0.0f);
  EXPECT_TRUE(std::signbit(float(clip::bf16(-0.0f))));
  // Subnormals round like any other value.
  const float tiny = std::numeric_limits<float>::denorm_min();
  EXPECT_EQ(clip::bf16(tiny).bits, referenceRound(tiny));
  // NaN stays NaN, quiet, with its sign; a NaN whose payload lives only in
  // the low 16 bits does not become infinity.
  const float nan = floatOf(0xff800001u);
  EXPECT_TRUE(std::isnan(float(clip::bf16(nan))));
  EXPECT_TRUE(std::signbit(float(clip::bf16(nan))));
  EXPECT_TRUE(std::isinf(float(clip::bf16(INFINITY))));
  // Widening is exact: every bf16 value comes back as itself.
  for (uint32_t b = 0; b < 0x10000u; ++b) {
    const float f = floatOf(b << 16);
    if (!std::isnan(f))
      ASSERT_EQ(clip::bf16(f).bits, b);
  }
}

TEST(Bf16, StagingWidensAndRoundsBack) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal;
  const int64_t n = 100003; // past the OpenMP threshold, odd
  std::vector<clip::bf16> in(n), out(n);
  for (auto &v : in)
    v = normal(rng);
  clip::cpu::Bf16Staging read(in.data(), n);
  clip::cpu::Bf16Staging result(out.data(), n, true);
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(read.data()[i], float(in[i])); // exact
    result.data()[i] = read.data()[i] * 1.001f + 1e-3f;
  }
  result.store();
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(out[i].bits, referenceRound(float(in[i]) * 1.001f + 1e-3f))
        << "at " << i;
}

} // namespace
