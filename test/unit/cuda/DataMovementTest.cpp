//===- DataMovementTest.cpp - runtime/cuda/DataMovement.cuh, emulated -----===//
//
// Strided copies (transpose, broadcast, slice, strided destination, rank
// 0, empty) of f32 and i64, and fill.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/DataMovement.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace clip::test;

namespace {

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
    cpu::stridedCopy(rank, asCpu(c.shape.data()),
                     asCpu(srcI.data()) + c.srcOffset,
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
        cu::stridedCopy<long long>(
            rank, c.shape.data(), srcI.data() + c.srcOffset,
            c.srcStrides.data(), gotI.data(), c.dstStrides.data());
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

} // namespace
