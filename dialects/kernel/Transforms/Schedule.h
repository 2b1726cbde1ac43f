//===- Schedule.h - Positions and buffer lifetimes of a kernel function ---===//
//
// A kernel function runs its top-level ops in order; a buffer is live from
// the first op that touches it (or a view of it) to the last. Shared by the
// in-place reuse and the memory planner.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_KERNEL_SCHEDULE_H
#define CLIP_COMPILER_KERNEL_SCHEDULE_H

#include "kernel/IR/KernelOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::kernel {

class Schedule {
public:
  explicit Schedule(func::FuncOp func);

  /// The position of a top-level op of the function.
  int64_t position(Operation *op) const { return positions.lookup(op); }
  /// One past the last position.
  int64_t end() const { return count; }

  /// First and last positions that use `buffer` or a view of it; a step
  /// output lives to the end.
  std::pair<int64_t, int64_t> lifetime(Value buffer) const;
  int64_t lastUse(Value buffer) const { return lifetime(buffer).second; }
  /// Whether a `kernel.output` reads `buffer` (or a view of it).
  bool isStepOutput(Value buffer) const;

private:
  llvm::DenseMap<Operation *, int64_t> positions;
  int64_t count = 0;
};

} // namespace mlir::kernel

#endif // CLIP_COMPILER_KERNEL_SCHEDULE_H
