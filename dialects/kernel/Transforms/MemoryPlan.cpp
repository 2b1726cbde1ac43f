//===- MemoryPlan.cpp - Best-fit placement by size and lifetime -----------===//

#include "kernel/Transforms/MemoryPlan.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

namespace clip::plan {

int64_t alignTo(int64_t bytes, int64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

MemoryPlan planMemory(const std::vector<BufferLifetime> &buffers,
                      int64_t alignment) {
  const size_t count = buffers.size();
  MemoryPlan plan;
  plan.offsets.assign(count, -1);
  std::vector<int64_t> sizes(count);
  for (size_t i = 0; i < count; ++i) {
    sizes[i] = alignTo(std::max<int64_t>(buffers[i].bytes, 1), alignment);
    plan.bufferBytes += sizes[i];
  }

  // Largest first: big buffers fix the arena's shape, small ones fill gaps.
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (sizes[a] != sizes[b])
      return sizes[a] > sizes[b];
    return buffers[a].first < buffers[b].first;
  });

  std::vector<size_t> placed;
  std::vector<std::pair<int64_t, int64_t>> busy; // [begin, end) in bytes
  for (size_t index : order) {
    busy.clear();
    for (size_t other : placed)
      if (overlapInTime(buffers[index], buffers[other]))
        busy.emplace_back(plan.offsets[other],
                          plan.offsets[other] + sizes[other]);
    std::sort(busy.begin(), busy.end());

    // Walk the gaps between the busy ranges; keep the tightest that fits.
    int64_t best = -1, bestSlack = std::numeric_limits<int64_t>::max();
    int64_t cursor = 0;
    for (auto [begin, end] : busy) {
      if (begin > cursor) {
        const int64_t slack = begin - cursor - sizes[index];
        if (slack >= 0 && slack < bestSlack) {
          best = cursor;
          bestSlack = slack;
        }
      }
      cursor = std::max(cursor, end);
    }
    plan.offsets[index] = best >= 0 ? best : cursor;
    plan.arenaBytes =
        std::max(plan.arenaBytes, plan.offsets[index] + sizes[index]);
    placed.push_back(index);
  }

  // Peak of live bytes: a sweep over lifetime starts and ends.
  std::map<int64_t, int64_t> delta;
  for (size_t i = 0; i < count; ++i) {
    delta[buffers[i].first] += sizes[i];
    delta[buffers[i].last + 1] -= sizes[i];
  }
  int64_t live = 0;
  for (auto [position, change] : delta) {
    live += change;
    plan.peakLiveBytes = std::max(plan.peakLiveBytes, live);
  }
  return plan;
}

} // namespace clip::plan
