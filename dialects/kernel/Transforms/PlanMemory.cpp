//===- PlanMemory.cpp - Arena offsets for a kernel function's buffers -----===//

#include "kernel/Transforms/MemoryPlan.h"
#include "kernel/Transforms/Passes.h"
#include "kernel/Transforms/Schedule.h"

#include "mlir/IR/Builders.h"

#include "fmt/format.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::kernel {
#define GEN_PASS_DEF_PLANMEMORY
#include "kernel/Transforms/Passes.h.inc"
} // namespace mlir::kernel

using namespace mlir;
using namespace mlir::kernel;

namespace {

struct PlanMemoryPass : kernel::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (alignment < 1) {
      func.emitError("kernel-plan-memory: alignment must be at least 1");
      return signalPassFailure();
    }
    Schedule schedule(func);
    SmallVector<AllocOp> allocs(func.getOps<AllocOp>());
    std::vector<::clip::plan::BufferLifetime> lifetimes;
    for (AllocOp alloc : allocs) {
      auto [first, last] = schedule.lifetime(alloc.getResult());
      lifetimes.push_back({byteSize(alloc.getType()), first, last});
    }
    ::clip::plan::MemoryPlan plan =
        ::clip::plan::planMemory(lifetimes, alignment);

    Builder builder(func.getContext());
    for (auto [alloc, offset] : llvm::zip(allocs, plan.offsets))
      alloc.setOffsetAttr(builder.getI64IntegerAttr(offset));
    func->setAttr("kernel.arena_bytes",
                  builder.getI64IntegerAttr(plan.arenaBytes));
    func->setAttr("kernel.buffer_bytes",
                  builder.getI64IntegerAttr(plan.bufferBytes));
    func->setAttr("kernel.peak_live_bytes",
                  builder.getI64IntegerAttr(plan.peakLiveBytes));
    if (report)
      llvm::outs() << fmt::format(
          "@{}: {} buffers, arena {} bytes ({:.1f} MiB), all buffers {} bytes "
          "({:.2f}x the arena), peak live {} bytes ({:.4f} of the arena)\n",
          func.getSymName().str(), allocs.size(), plan.arenaBytes,
          plan.arenaBytes / 1048576.0, plan.bufferBytes,
          plan.arenaBytes ? double(plan.bufferBytes) / plan.arenaBytes : 0.0,
          plan.peakLiveBytes,
          plan.arenaBytes ? double(plan.peakLiveBytes) / plan.arenaBytes : 0.0);
  }
};

} // namespace
