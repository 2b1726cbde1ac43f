//===- MemoryPlan.h - Offsets for buffers with known lifetimes --*- C++ -*-===//
//
// The static memory planner's core, independent of MLIR: given each buffer's
// size and the interval of schedule positions where it is live, place every
// buffer in one arena so that no two buffers live at the same time overlap.
// `kernel-plan-memory` feeds it the schedule of a kernel function.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_KERNEL_MEMORYPLAN_H
#define CLIP_COMPILER_KERNEL_MEMORYPLAN_H

#include <cstdint>
#include <vector>

namespace clip::plan {

/// A buffer of `bytes`, live at schedule positions first..last (inclusive).
struct BufferLifetime {
  int64_t bytes = 0;
  int64_t first = 0, last = 0;
};

struct MemoryPlan {
  std::vector<int64_t> offsets; ///< one per buffer, in input order
  int64_t arenaBytes = 0;       ///< the arena the offsets need
  int64_t bufferBytes = 0;      ///< every buffer's (aligned) size, summed
  int64_t peakLiveBytes = 0;    ///< most (aligned) bytes live at one position
};

/// Rounds `bytes` up to a multiple of `alignment` (a power of two or not).
int64_t alignTo(int64_t bytes, int64_t alignment);

/// Largest buffers first, each into the smallest gap that fits among the
/// buffers already placed whose lifetimes overlap its own (best fit), else
/// just above them. Offsets and sizes are multiples of `alignment`.
MemoryPlan planMemory(const std::vector<BufferLifetime> &buffers,
                      int64_t alignment);

/// Whether two lifetimes share a schedule position.
inline bool overlapInTime(const BufferLifetime &a, const BufferLifetime &b) {
  return a.first <= b.last && b.first <= a.last;
}

} // namespace clip::plan

#endif // CLIP_COMPILER_KERNEL_MEMORYPLAN_H
