//===- WarpTest.cpp - Warps, tensor-core wrappers and the emulator itself -===//
//
// The host emulator's warp model (HostEmulation.h) and the wrappers of
// runtime/cuda/Warp.cuh, against what the CUDA programming guide and the PTX
// ISA define: shuffles, votes, divergent collectives reported rather than
// deadlocked, mma.sync m16n8k16 against a plain matrix product with the
// fragments built here from the ISA's formulas (and one-hot inputs that pin
// every fragment position), ldmatrix with and without .trans feeding mma,
// cp.async landing at its wait, aligned vector accesses, shuffled blocks.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/Warp.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace clip::test;

namespace {

constexpr unsigned kFull = 0xffffffffu;

/// Runs `body` and returns the launch's error message ("" when none).
template <class F>
std::string launchError(unsigned grid, unsigned block, F body) {
  try {
    launch(grid, block, body);
  } catch (const std::runtime_error &e) {
    return e.what();
  }
  return "";
}

TEST(CudaWarp, Shuffles) {
  const unsigned block = 64;
  std::vector<int> from3(block), fromXor(block), fromUp(block), fromDown(block),
      ballots(block), any(block), all(block);
  launch(1, block, [&] {
    const unsigned t = threadIdx.x, lane = t % 32;
    const int value = static_cast<int>(100 * (t / 32) + lane);
    from3[t] = __shfl_sync(kFull, value, 3);
    fromXor[t] = __shfl_xor_sync(kFull, value, 5);
    fromUp[t] = __shfl_up_sync(kFull, value, 2);
    fromDown[t] = __shfl_down_sync(kFull, value, 5, 16);
    ballots[t] = static_cast<int>(__ballot_sync(kFull, lane % 3 == 0));
    any[t] = __any_sync(kFull, lane == 31 && t < 32);
    all[t] = __all_sync(kFull, lane < 32);
    __syncwarp();
  });
  unsigned everyThird = 0;
  for (unsigned l = 0; l < 32; l += 3)
    everyThird |= 1u << l;
  for (unsigned t = 0; t < block; ++t) {
    const int warp = static_cast<int>(100 * (t / 32)), lane = t % 32;
    EXPECT_EQ(from3[t], warp + 3) << t;
    EXPECT_EQ(fromXor[t], warp + (lane ^ 5)) << t;
    EXPECT_EQ(fromUp[t], warp + (lane >= 2 ? lane - 2 : lane)) << t;
    // Width 16: lanes 11..15 and 27..31 are past their segment's end.
    EXPECT_EQ(fromDown[t], warp + (lane % 16 + 5 < 16 ? lane + 5 : lane)) << t;
    EXPECT_EQ(static_cast<unsigned>(ballots[t]), everyThird) << t;
    EXPECT_EQ(any[t], t < 32 ? 1 : 0) << t;
    EXPECT_EQ(all[t], 1) << t;
  }
}

TEST(CudaWarp, PartialWarpWithItsOwnMask) {
  std::vector<double> sums(40);
  launch(1, 40, [&] {
    const unsigned t = threadIdx.x;
    const unsigned mask = t < 32 ? kFull : 0xffu; // lanes 32..39 exist
    double v = t;
    for (int offset = 16; offset > 0; offset /= 2)
      if (t < 32 || offset < 8)
        v += __shfl_xor_sync(mask, v, offset);
    sums[t] = v;
  });
  EXPECT_EQ(sums[0], 31.0 * 32 / 2);
  EXPECT_EQ(sums[35], 32.0 + 33 + 34 + 35 + 36 + 37 + 38 + 39);
}

TEST(CudaWarp, DivergentCollectivesAreReported) {
  // Half the warp skips the shuffle its mask names it in: it returns.
  std::string error = launchError(1, 32, [] {
    if (threadIdx.x < 16)
      (void)__shfl_sync(kFull, 1.0f, 0);
  });
  EXPECT_NE(error.find("divergent collective"), std::string::npos) << error;
  EXPECT_NE(error.find("returned"), std::string::npos) << error;
  // One lane waits at __syncthreads while the others shuffle.
  error = launchError(1, 32, [] {
    if (threadIdx.x == 5)
      __syncthreads();
    else
      (void)__shfl_sync(kFull, 1, 0);
    if (threadIdx.x != 5)
      __syncthreads();
  });
  EXPECT_NE(error.find("divergent collective"), std::string::npos) << error;
  EXPECT_NE(error.find("__syncthreads"), std::string::npos) << error;
  // Two different collectives at once.
  error = launchError(1, 32, [] {
    if (threadIdx.x % 2)
      (void)__ballot_sync(kFull, 1);
    else
      __syncwarp();
  });
  EXPECT_NE(error.find("divergent collective"), std::string::npos) << error;
  // A mask without the calling lane; a mask past the block's threads; a
  // shuffle from a lane outside the mask.
  error = launchError(1, 32, [] { (void)__shfl_sync(0x1u, 1, 0); });
  EXPECT_NE(error.find("does not name the calling lane"), std::string::npos)
      << error;
  error = launchError(1, 40, [] { (void)__shfl_sync(kFull, 1, 0); });
  EXPECT_NE(error.find("past the block"), std::string::npos) << error;
  error = launchError(1, 32, [] {
    if (threadIdx.x < 8)
      (void)__shfl_sync(0xffu, 1, 9);
  });
  EXPECT_NE(error.find("not in mask"), std::string::npos) << error;
  // The emulator is usable again after a failed launch.
  EXPECT_EQ(launchError(2, 64, [] { __syncwarp(); }), "");
}

TEST(CudaWarp, BlocksRunInAShuffledOrder) {
  std::vector<unsigned> order;
  launch(32, 1, [&] { order.push_back(blockIdx.x); });
  std::vector<unsigned> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (unsigned b = 0; b < 32; ++b)
    EXPECT_EQ(sorted[b], b);
  EXPECT_FALSE(std::is_sorted(order.begin(), order.end()));
}

// --- Tensor cores ------------------------------------------------------------

/// The PTX ISA's fragment positions for mma.m16n8k16 (.bf16), written out
/// from its formulas: element i of lane l.
struct Position {
  unsigned row, col;
};
Position aPosition(unsigned lane, unsigned i) {
  const unsigned groupID = lane >> 2, tig = lane % 4;
  const bool firstRows = i < 2 || (i >= 4 && i < 6);
  return {firstRows ? groupID : groupID + 8,
          tig * 2 + (i & 1) + (i >= 4 ? 8 : 0)};
}
Position bPosition(unsigned lane, unsigned i) {
  const unsigned groupID = lane >> 2, tig = lane % 4;
  return {tig * 2 + (i & 1) + (i >= 2 ? 8 : 0), groupID};
}
Position cPosition(unsigned lane, unsigned i) {
  const unsigned groupID = lane >> 2, tig = lane % 4;
  return {i < 2 ? groupID : groupID + 8, tig * 2 + (i & 1)};
}

unsigned bits(float value) { return clip::bf16(value).bits; }

/// D = A B + C through mmaBf16 with fragments packed from the ISA's
/// positions.
std::vector<float> mmaOf(const std::vector<float> &A,
                         const std::vector<float> &B,
                         const std::vector<float> &C) {
  std::vector<float> D(16 * 8, kNan);
  launch(1, 32, [&] {
    const unsigned lane = threadIdx.x;
    unsigned a[4] = {}, b[2] = {};
    float c[4], d[4];
    for (unsigned i = 0; i < 8; ++i) {
      const Position p = aPosition(lane, i);
      a[i / 2] |= bits(A[p.row * 16 + p.col]) << (16 * (i % 2));
    }
    for (unsigned i = 0; i < 4; ++i) {
      const Position p = bPosition(lane, i);
      b[i / 2] |= bits(B[p.row * 8 + p.col]) << (16 * (i % 2));
    }
    for (unsigned i = 0; i < 4; ++i) {
      const Position p = cPosition(lane, i);
      c[i] = C[p.row * 8 + p.col];
    }
    cu::mmaBf16(d, a, b, c);
    for (unsigned i = 0; i < 4; ++i) {
      const Position p = cPosition(lane, i);
      D[p.row * 8 + p.col] = d[i];
    }
  });
  return D;
}

std::vector<float> roundedRandom(size_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = clip::bf16(dist(rng)); // representable in bf16
  return v;
}

TEST(CudaWarp, MmaMatchesAPlainProduct) {
  std::mt19937 rng(7);
  const std::vector<float> A = roundedRandom(16 * 16, rng),
                           B = roundedRandom(16 * 8, rng),
                           C = roundedRandom(16 * 8, rng);
  const std::vector<float> D = mmaOf(A, B, C);
  for (unsigned r = 0; r < 16; ++r)
    for (unsigned n = 0; n < 8; ++n) {
      double want = C[r * 8 + n];
      for (unsigned k = 0; k < 16; ++k)
        want += static_cast<double>(A[r * 16 + k]) * B[k * 8 + n];
      // Exact products, one rounding: within half an f32 ulp.
      EXPECT_NEAR(D[r * 8 + n], want, std::abs(want) * 6e-8 + 1e-30)
          << r << "," << n;
    }
}

TEST(CudaWarp, MmaFragmentPositionsOneHot) {
  // A one-hot A at (r, k) and B[k][n] = 1 + k * 8 + n make D's row r equal
  // B's row k and every other row 0: each A position lands where the ISA
  // says. Then the same for B (one-hot at (k, n), A[r][k] = 1 + r) and C.
  std::vector<float> B(16 * 8), zeroC(16 * 8, 0.0f);
  for (unsigned i = 0; i < 16 * 8; ++i)
    B[i] = static_cast<float>(1 + i);
  for (unsigned r = 0; r < 16; ++r)
    for (unsigned k = 0; k < 16; ++k) {
      std::vector<float> A(16 * 16, 0.0f);
      A[r * 16 + k] = 1.0f;
      const std::vector<float> D = mmaOf(A, B, zeroC);
      for (unsigned i = 0; i < 16; ++i)
        for (unsigned n = 0; n < 8; ++n)
          ASSERT_EQ(D[i * 8 + n], i == r ? B[k * 8 + n] : 0.0f)
              << "A one-hot at " << r << "," << k;
    }
  std::vector<float> A(16 * 16);
  for (unsigned r = 0; r < 16; ++r)
    for (unsigned k = 0; k < 16; ++k)
      A[r * 16 + k] = static_cast<float>(1 + r + 16 * k);
  for (unsigned k = 0; k < 16; ++k)
    for (unsigned n = 0; n < 8; ++n) {
      std::vector<float> oneB(16 * 8, 0.0f);
      oneB[k * 8 + n] = 1.0f;
      const std::vector<float> D = mmaOf(A, oneB, zeroC);
      for (unsigned r = 0; r < 16; ++r)
        for (unsigned j = 0; j < 8; ++j)
          ASSERT_EQ(D[r * 8 + j], j == n ? A[r * 16 + k] : 0.0f)
              << "B one-hot at " << k << "," << n;
    }
  std::vector<float> C(16 * 8);
  for (unsigned i = 0; i < 16 * 8; ++i)
    C[i] = static_cast<float>(i) - 40.0f;
  EXPECT_EQ(mmaOf(std::vector<float>(256, 0.0f), B, C), C);
}

TEST(CudaWarp, LdmatrixLayoutsFeedMma) {
  // A 16x16 row-major tile, its 16x8 B as K x N and as N x K, in "shared"
  // memory (16-byte aligned rows).
  std::mt19937 rng(3);
  const std::vector<float> A = roundedRandom(16 * 16, rng),
                           B = roundedRandom(16 * 8, rng);
  alignas(16) clip::bf16 sa[16 * 16], sbKN[16 * 8], sbNK[8 * 16];
  for (unsigned i = 0; i < 256; ++i)
    sa[i] = A[i];
  for (unsigned k = 0; k < 16; ++k)
    for (unsigned n = 0; n < 8; ++n) {
      sbKN[k * 8 + n] = B[k * 8 + n];
      sbNK[n * 16 + k] = B[k * 8 + n];
    }
  std::vector<unsigned> fragA(32 * 4), fragKN(32 * 2), fragNK(32 * 2),
      fragX1(32), fragX4T(32 * 4);
  std::vector<float> viaKN(128, kNan), viaNK(128, kNan);
  launch(1, 32, [&] {
    const unsigned lane = threadIdx.x, m = lane / 8, i = lane % 8;
    unsigned a[4], bKN[2], bNK[2], x1[1], x4t[4];
    // x4: matrices (rows 0-7, cols 0-7), (8-15, 0-7), (0-7, 8-15), (8-15,
    // 8-15) = registers a0..a3 of the A fragment.
    cu::ldmatrix<4, false>(a, &sa[(i + 8 * (m % 2)) * 16 + 8 * (m / 2)]);
    // B stored K x N: transposed loads of rows k 0-7 and 8-15.
    cu::ldmatrix<2, true>(bKN, &sbKN[(i + 8 * (m % 2)) * 8]);
    // B stored N x K (as K^T is): plain loads of columns k 0-7 and 8-15.
    cu::ldmatrix<2, false>(bNK, &sbNK[i * 16 + 8 * (m % 2)]);
    cu::ldmatrix<1, false>(x1, &sa[i * 16]);
    cu::ldmatrix<4, true>(x4t, &sa[(i + 8 * (m % 2)) * 16 + 8 * (m / 2)]);
    for (int r = 0; r < 4; ++r) {
      fragA[lane * 4 + r] = a[r];
      fragX4T[lane * 4 + r] = x4t[r];
    }
    for (int r = 0; r < 2; ++r) {
      fragKN[lane * 2 + r] = bKN[r];
      fragNK[lane * 2 + r] = bNK[r];
    }
    fragX1[lane] = x1[0];
    const float zero[4] = {0, 0, 0, 0};
    float d[4];
    cu::mmaBf16(d, a, bKN, zero);
    for (unsigned e = 0; e < 4; ++e)
      viaKN[cPosition(lane, e).row * 8 + cPosition(lane, e).col] = d[e];
    cu::mmaBf16(d, a, bNK, zero);
    for (unsigned e = 0; e < 4; ++e)
      viaNK[cPosition(lane, e).row * 8 + cPosition(lane, e).col] = d[e];
  });
  for (unsigned lane = 0; lane < 32; ++lane) {
    for (unsigned e = 0; e < 8; ++e) {
      const Position p = aPosition(lane, e);
      EXPECT_EQ((fragA[lane * 4 + e / 2] >> (16 * (e % 2))) & 0xffffu,
                bits(A[p.row * 16 + p.col]))
          << "A element " << e << " of lane " << lane;
    }
    for (unsigned e = 0; e < 4; ++e) {
      const Position p = bPosition(lane, e);
      EXPECT_EQ((fragKN[lane * 2 + e / 2] >> (16 * (e % 2))) & 0xffffu,
                bits(B[p.row * 8 + p.col]))
          << "B (K x N, .trans) element " << e << " of lane " << lane;
      EXPECT_EQ((fragNK[lane * 2 + e / 2] >> (16 * (e % 2))) & 0xffffu,
                bits(B[p.row * 8 + p.col]))
          << "B (N x K) element " << e << " of lane " << lane;
    }
    // x1: row lane / 4 of the first 8x8, columns 2 (lane % 4) and + 1;
    // x4.trans: matrix m's column lane / 4, rows 2 (lane % 4) and + 1.
    for (unsigned j = 0; j < 2; ++j) {
      EXPECT_EQ((fragX1[lane] >> (16 * j)) & 0xffffu,
                bits(A[(lane / 4) * 16 + 2 * (lane % 4) + j]));
      for (unsigned m = 0; m < 4; ++m)
        EXPECT_EQ((fragX4T[lane * 4 + m] >> (16 * j)) & 0xffffu,
                  bits(A[(8 * (m % 2) + 2 * (lane % 4) + j) * 16 + 8 * (m / 2) +
                         lane / 4]))
            << "x4.trans matrix " << m << " lane " << lane;
    }
  }
  for (unsigned r = 0; r < 16; ++r)
    for (unsigned n = 0; n < 8; ++n) {
      double want = 0;
      for (unsigned k = 0; k < 16; ++k)
        want += static_cast<double>(A[r * 16 + k]) * B[k * 8 + n];
      EXPECT_NEAR(viaKN[r * 8 + n], want, std::abs(want) * 6e-8 + 1e-30);
      EXPECT_EQ(viaNK[r * 8 + n], viaKN[r * 8 + n]);
    }
  // Rows must be 16-byte aligned.
  const std::string error = launchError(1, 32, [&] {
    unsigned r[1];
    cu::ldmatrix<1, false>(r, &sa[threadIdx.x % 8 * 16 + 1]);
  });
  EXPECT_NE(error.find("aligned"), std::string::npos) << error;
}

TEST(CudaWarp, CpAsyncLandsAtItsWait) {
  alignas(16) float source[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  alignas(16) float shared[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<float> seen;
  launch(1, 1, [&] {
    cu::cpAsync16(shared, source);
    cu::cpAsyncCommit();
    cu::cpAsync16(shared + 4, source + 4);
    cu::cpAsyncCommit();
    seen.push_back(shared[0]); // before any wait: not there yet
    cu::cpAsyncWait<1>();      // the older group only
    seen.push_back(shared[0]);
    seen.push_back(shared[4]);
    cu::cpAsyncWait<0>();
    seen.push_back(shared[4]);
  });
  EXPECT_EQ(seen, (std::vector<float>{0, 1, 0, 5}));
}

TEST(CudaWarp, VectorAccessesAreAligned) {
  alignas(16) float data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  float4 v{};
  launch(1, 1, [&] { v = cu::load4(data + 4); });
  EXPECT_EQ(v.x, 5.0f);
  EXPECT_EQ(v.w, 8.0f);
  const std::string error = launchError(1, 1, [&] { v = cu::load4(data + 1); });
  EXPECT_NE(error.find("load4"), std::string::npos) << error;
  EXPECT_NE(error.find("aligned"), std::string::npos) << error;
}

} // namespace
