//===- CommonTest.cpp - runtime/cuda/Common.cuh, emulated -----------------===//
//
// The block reductions, for every block size up to 40 and a few more.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/Common.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using namespace clip::test;

namespace {

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

} // namespace
