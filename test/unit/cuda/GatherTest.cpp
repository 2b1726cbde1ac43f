//===- GatherTest.cpp - runtime/cuda/Gather.cuh, emulated -----------------===//
//
// Gather (f32 and i64) and its gradient, and the error word of bad
// indices. The gradient's zeroing is a DataMovement.cuh fill.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/Gather.cuh"

#include <gtest/gtest.h>

#include "runtime/cuda/DataMovement.cuh"

#include <cmath>
#include <cstdint>
#include <vector>

using namespace clip::test;

namespace {

struct GatherCase {
  i64 batch, pre, axis, inner, count;
};

std::vector<GatherCase> gatherCases() {
  return {
      {2, 3, 7, 5, 4}, {1, 1, 10, 3, 25}, {3, 1, 4, 1, 6}, {1, 2, 5, 40, 3}};
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
    auto indices = randomIndices<long long>(c.batch * c.count, c.axis, seed++);
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
    auto indices = randomIndices<long long>(c.batch * c.count, c.axis, seed++);
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
  auto indices = randomIndices<long long>(batch * count, axis, 452);
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

} // namespace
