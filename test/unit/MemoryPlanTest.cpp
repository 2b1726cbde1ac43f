//===- MemoryPlanTest.cpp - Property test of the static memory planner ----===//
//
// Random schedules (buffer sizes and lifetimes), planned, then checked
// against the plan's contract by brute force: no two buffers live at the same
// position share a byte, offsets are aligned, the arena holds every buffer
// and is at least the peak of live bytes (which is recomputed here).
//
//===----------------------------------------------------------------------===//

#include "kernel/Transforms/MemoryPlan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace clip::plan;

namespace {

void checkPlan(const std::vector<BufferLifetime> &buffers, int64_t alignment,
               const MemoryPlan &plan) {
  ASSERT_EQ(plan.offsets.size(), buffers.size());
  int64_t end = 0, positions = 0;
  for (size_t i = 0; i < buffers.size(); ++i) {
    const int64_t size =
        alignTo(std::max<int64_t>(buffers[i].bytes, 1), alignment);
    EXPECT_GE(plan.offsets[i], 0);
    EXPECT_EQ(plan.offsets[i] % alignment, 0) << "buffer " << i;
    end = std::max(end, plan.offsets[i] + size);
    positions = std::max(positions, buffers[i].last + 1);
    for (size_t j = 0; j < i; ++j) {
      if (!overlapInTime(buffers[i], buffers[j]))
        continue;
      const int64_t other =
          alignTo(std::max<int64_t>(buffers[j].bytes, 1), alignment);
      const bool apart = plan.offsets[i] + size <= plan.offsets[j] ||
                         plan.offsets[j] + other <= plan.offsets[i];
      ASSERT_TRUE(apart) << "buffers " << i << " and " << j
                         << " are live together and overlap";
    }
  }
  EXPECT_EQ(plan.arenaBytes, end);
  int64_t peak = 0;
  for (int64_t t = 0; t < positions; ++t) {
    int64_t live = 0;
    for (const BufferLifetime &b : buffers)
      if (b.first <= t && t <= b.last)
        live += alignTo(std::max<int64_t>(b.bytes, 1), alignment);
    peak = std::max(peak, live);
  }
  EXPECT_EQ(plan.peakLiveBytes, peak);
  EXPECT_GE(plan.arenaBytes, plan.peakLiveBytes);
  EXPECT_LE(plan.arenaBytes, plan.bufferBytes);
}

TEST(MemoryPlan, RandomSchedulesNeverOverlapLiveBuffers) {
  std::mt19937_64 rng(20261123);
  for (int trial = 0; trial < 300; ++trial) {
    const int count = std::uniform_int_distribution<int>(1, 120)(rng);
    const int64_t positions =
        std::uniform_int_distribution<int64_t>(1, 200)(rng);
    const int64_t alignment = std::vector<int64_t>{1, 8, 64, 256}[trial % 4];
    std::vector<BufferLifetime> buffers;
    for (int i = 0; i < count; ++i) {
      // Sizes over five orders of magnitude, as activations and statistics.
      const int64_t bytes =
          std::uniform_int_distribution<int64_t>(0, 4)(rng) == 0
              ? std::uniform_int_distribution<int64_t>(0, 64)(rng)
              : std::uniform_int_distribution<int64_t>(1, 1 << 20)(rng);
      const int64_t first =
          std::uniform_int_distribution<int64_t>(0, positions - 1)(rng);
      const int64_t last =
          std::uniform_int_distribution<int64_t>(first, positions - 1)(rng);
      buffers.push_back({bytes, first, last});
    }
    const MemoryPlan plan = planMemory(buffers, alignment);
    checkPlan(buffers, alignment, plan);
    if (HasFatalFailure())
      return;
  }
}

TEST(MemoryPlan, DisjointLifetimesShareOneSlot) {
  // A chain where each buffer dies as the next is born reuses one slot
  // pairwise: the arena is two buffers, not ten.
  std::vector<BufferLifetime> chain;
  for (int64_t i = 0; i < 10; ++i)
    chain.push_back({1000, i, i + 1});
  const MemoryPlan plan = planMemory(chain, 64);
  checkPlan(chain, 64, plan);
  EXPECT_EQ(plan.arenaBytes, 2 * 1024);
  EXPECT_EQ(plan.bufferBytes, 10 * 1024);
}

TEST(MemoryPlan, BestFitTakesTheTightestGap) {
  // p (512) and r (256) die at position 1; q (512) and s (256) live on.
  // Largest first: p 0, q 512, r 1024, s 1280. d (256, born at 2) sees two
  // gaps: [0, 512) left by p and [1024, 1280) left by r. Best fit takes the
  // exact one, 1024; first fit would take 0 and split the larger gap.
  std::vector<BufferLifetime> buffers = {
      {512, 0, 1}, {512, 0, 9}, {256, 0, 1}, {256, 0, 9}, {256, 2, 9}};
  const MemoryPlan plan = planMemory(buffers, 256);
  checkPlan(buffers, 256, plan);
  EXPECT_EQ(plan.offsets, (std::vector<int64_t>{0, 512, 1024, 1280, 1024}));
  EXPECT_EQ(plan.arenaBytes, 1536);
  EXPECT_EQ(plan.peakLiveBytes, 1536);
}

} // namespace
