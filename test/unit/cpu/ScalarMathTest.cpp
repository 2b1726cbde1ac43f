//===- ScalarMathTest.cpp - The random numbers of clip.dropout -----------===//
//
// Philox-4x32-10 against the known-answer vectors of Random123 (the
// generator's reference implementation, kat_vectors), and the dropout mask
// it gives: the kept fraction, independent streams and seeds.
//
//===----------------------------------------------------------------------===//
#include "runtime/kernels/ScalarMath.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace clip::scalar;

namespace {

void expectWords(const Philox4x32 &r, unsigned a, unsigned b, unsigned c,
                 unsigned d) {
  EXPECT_EQ(r.v[0], a);
  EXPECT_EQ(r.v[1], b);
  EXPECT_EQ(r.v[2], c);
  EXPECT_EQ(r.v[3], d);
}

TEST(Philox, KnownAnswers) {
  expectWords(philox4x32(0, 0, 0, 0, 0, 0), 0x6627e8d5u, 0xe169c58du,
              0xbc57ac4cu, 0x9b00dbd8u);
  expectWords(philox4x32(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
                         0xffffffffu, 0xffffffffu),
              0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu);
  expectWords(philox4x32(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u,
                         0xa4093822u, 0x299f31d0u),
              0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u);
}

TEST(Dropout, KeepsOneMinusRateAndScales) {
  for (float rate : {0.1f, 0.5f, 0.9f}) {
    const long long n = 200000;
    long long kept = 0, agreeAcrossStreams = 0;
    for (long long i = 0; i < n; ++i) {
      const bool k = dropoutKeeps(42, 0, i, rate);
      kept += k;
      agreeAcrossStreams += k == dropoutKeeps(42, 1, i, rate);
    }
    // Binomial: 5 standard deviations.
    const double p = 1.0 - rate, sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(double(kept), n * p, 5 * sd) << "rate " << rate;
    // Another stream is another mask: agreement p^2 + (1-p)^2, not 1.
    const double q = p * p + (1 - p) * (1 - p);
    EXPECT_NEAR(double(agreeAcrossStreams), n * q,
                5 * std::sqrt(n * q * (1 - q)))
        << "rate " << rate;
  }
  EXPECT_EQ(dropout(2.0f, 7, 0, 0, 0.0f), 2.0f); // rate 0 keeps all
  int differs = 0;
  for (long long i = 0; i < 64; ++i) {
    const float y = dropout(1.0f, 7, 0, i, 0.5f);
    EXPECT_TRUE(y == 0.0f || y == 2.0f);
    differs += dropoutKeeps(7, 0, i, 0.5f) != dropoutKeeps(8, 0, i, 0.5f);
  }
  EXPECT_GT(differs, 10); // another seed, another mask
}

} // namespace
