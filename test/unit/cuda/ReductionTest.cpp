//===- ReductionTest.cpp - runtime/cuda/Reduction.cuh, emulated -----------===//
//
// Sum, mean and max reductions, argmax (f32 and i64) and (log_)softmax.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/Reduction.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace clip::test;

namespace {

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
  for (const Case &c :
       {Case{3, 7, 5}, Case{2, 300, 1}, Case{4, 1, 3}, Case{1, 9, 1}}) {
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
  for (const Case &c :
       {Case{4, 9, 1}, Case{3, 300, 1}, Case{2, 7, 5}, Case{1, 1, 4}}) {
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

} // namespace
