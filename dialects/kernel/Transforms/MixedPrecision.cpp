//===- MixedPrecision.cpp - bf16 storage for a kernel function's buffers --===//

#include "kernel/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::kernel {
#define GEN_PASS_DEF_MIXEDPRECISION
#include "kernel/Transforms/Passes.h.inc"
} // namespace mlir::kernel

using namespace mlir;
using namespace mlir::kernel;

namespace {

/// The buffer and every view of it, transitively.
SmallVector<Value> viewsOf(Value buffer) {
  SmallVector<Value> all{buffer};
  for (size_t i = 0; i < all.size(); ++i)
    for (Operation *user : all[i].getUsers())
      if (auto view = dyn_cast<ViewOp>(user))
        all.push_back(view.getResult());
  return all;
}

/// Whether every write into `buffers` (an alloc and its views) may round to
/// bf16, and none of them is a step output.
bool mayStoreInBf16(ArrayRef<Value> buffers) {
  for (Value buffer : buffers)
    for (OpOperand &use : buffer.getUses()) {
      Operation *user = use.getOwner();
      if (isa<OutputOp>(user))
        return false;
      auto launch = dyn_cast<LaunchOp>(user);
      if (!launch)
        continue;
      const unsigned firstOut = launch.getIns().size();
      if (use.getOperandNumber() < firstOut)
        continue; // any kernel reads bf16 storage into f32
      Operation *yield = launch.getBody().front().getTerminator();
      Value written = yield->getOperand(use.getOperandNumber() - firstOut);
      auto result = dyn_cast<OpResult>(written);
      if (!result || clip::keepsFullPrecision(result))
        return false;
    }
  return true;
}

struct MixedPrecisionPass
    : kernel::impl::MixedPrecisionBase<MixedPrecisionPass> {
  using MixedPrecisionBase::MixedPrecisionBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (precision == "fp32" || func.isExternal())
      return;
    if (precision != "bf16") {
      func.emitError("kernel-mixed-precision: precision must be fp32 or bf16, "
                     "not '")
          << precision << "'";
      return signalPassFailure();
    }
    Type bf16 = BFloat16Type::get(&getContext());
    for (AllocOp alloc : llvm::to_vector(func.getOps<AllocOp>())) {
      if (!alloc.getType().getElementType().isF32())
        continue;
      SmallVector<Value> buffers = viewsOf(alloc.getResult());
      if (!mayStoreInBf16(buffers))
        continue;
      for (Value buffer : buffers) {
        auto type = cast<MemRefType>(buffer.getType());
        buffer.setType(MemRefType::get(type.getShape(), bf16));
      }
    }
    roundTensorCoreOperands(func, bf16);
  }

  /// GEMM, convolution and attention operands still in f32 (parameters,
  /// inputs, buffers kept f32) are read through a bf16 copy, made by one
  /// cast launch before the first launch that multiplies them, as a GPU
  /// multiplies bf16 with f32 accumulation (and autocast casts weights).
  void roundTensorCoreOperands(func::FuncOp func, Type bf16) {
    llvm::DenseMap<Value, Value> copies;
    int64_t next = 0;
    OpBuilder builder(func.getContext());
    for (LaunchOp launch : llvm::to_vector(func.getOps<LaunchOp>())) {
      Operation *kernelOp = launch.getKernelOp();
      Block &body = launch.getBody().front();
      for (OpOperand &in : launch.getInsMutable()) {
        Value buffer = in.get();
        auto type = cast<MemRefType>(buffer.getType());
        if (!type.getElementType().isF32())
          continue;
        BlockArgument arg = body.getArgument(in.getOperandNumber());
        if (!llvm::any_of(arg.getUses(), [&](OpOperand &use) {
              return use.getOwner() == kernelOp && clip::takesBf16Operand(use);
            }))
          continue;
        Value &copy = copies[buffer];
        if (!copy)
          copy = castToBf16(builder, launch, buffer, bf16, next++);
        in.set(copy);
      }
    }
  }

  /// `kernel.launch @cast_bf16_<id>` of `buffer` into a new bf16 buffer,
  /// before `before`.
  Value castToBf16(OpBuilder &builder, LaunchOp before, Value buffer, Type bf16,
                   int64_t id) {
    Location loc = buffer.getLoc();
    auto type = cast<MemRefType>(buffer.getType());
    auto rounded = MemRefType::get(type.getShape(), bf16);
    builder.setInsertionPoint(before);
    auto alloc = builder.create<AllocOp>(loc, rounded, IntegerAttr());
    auto launch = builder.create<LaunchOp>(
        loc, builder.getStringAttr("cast_bf16_" + std::to_string(id)),
        ValueRange{buffer}, ValueRange{alloc.getResult()});
    Block *body = builder.createBlock(&launch.getBody());
    Value arg = body->addArgument(tensorTypeOf(type), loc);
    auto cast = builder.create<clip::CastOp>(
        loc, RankedTensorType::get(type.getShape(), bf16), arg);
    builder.create<YieldOp>(loc, ValueRange{cast.getResult()});
    return alloc.getResult();
  }
};

} // namespace
