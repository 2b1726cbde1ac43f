//===- ReuseInPlace.cpp - Pointwise launches overwrite a dying input ------===//

#include "kernel/Transforms/Passes.h"
#include "kernel/Transforms/Schedule.h"

#include "clip/IR/ClipOps.h"

namespace mlir::kernel {
#define GEN_PASS_DEF_REUSEINPLACE
#include "kernel/Transforms/Passes.h.inc"
} // namespace mlir::kernel

using namespace mlir;
using namespace mlir::kernel;

namespace {

struct ReuseInPlacePass : kernel::impl::ReuseInPlaceBase<ReuseInPlacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Schedule schedule(func);
    for (auto launch : llvm::to_vector(func.getOps<LaunchOp>())) {
      Operation *kernelOp = launch.getKernelOp();
      if (!kernelOp || !clip::isPointwise(kernelOp))
        continue;
      const int64_t position = schedule.position(launch);
      // The loop runs over the largest result; a smaller buffer is read (and
      // written) by many loop elements, so it cannot be overwritten early.
      int64_t loopElements = 0;
      for (Value out : launch.getOuts())
        loopElements = std::max(
            loopElements, cast<MemRefType>(out.getType()).getNumElements());
      llvm::SmallPtrSet<Value, 4> taken;
      for (OpOperand &out : launch.getOutsMutable()) {
        auto alloc = out.get().getDefiningOp<AllocOp>();
        if (!alloc || alloc.getType().getNumElements() != loopElements)
          continue;
        for (Value in : launch.getIns()) {
          auto dying = in.getDefiningOp<AllocOp>();
          if (!dying || taken.contains(in) || in.getType() != alloc.getType() ||
              schedule.isStepOutput(dying) ||
              schedule.lastUse(dying) != position)
            continue;
          // Later readers of the result now read the input's buffer.
          alloc.getResult().replaceAllUsesWith(in);
          alloc.erase();
          taken.insert(in);
          break;
        }
      }
    }
  }
};

} // namespace
