//===- ClipToKernel.cpp - clip graph -> kernel schedule over buffers ------===//
//
// Bufferization for a graph with no control flow and no aliasing: every
// tensor gets its own buffer (the planner decides later which ones share
// memory), except reshapes and contiguous slices, which are views. Each
// remaining op moves, unchanged, into the body of a `kernel.launch`, so the
// schedule is the graph's program order.
//
//===----------------------------------------------------------------------===//

#include "compiler/Conversion/Passes.h"

#include "clip/IR/ClipOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/SetVector.h"

#include "fmt/format.h"

namespace mlir::clip {
#define GEN_PASS_DEF_CONVERTCLIPTOKERNEL
#include "compiler/Conversion/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::kernel;

namespace {

MemRefType bufferTypeOf(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

/// The element offset of a slice that is one contiguous run of its input, or
/// nothing: step 1 and every dim before the sliced one of size 1.
std::optional<int64_t> contiguousSliceOffset(clip::SliceOp slice) {
  auto shape = cast<RankedTensorType>(slice.getInput().getType()).getShape();
  const int64_t axis = slice.getAxis();
  if (slice.getStep() != 1)
    return std::nullopt;
  for (int64_t d = 0; d < axis; ++d)
    if (shape[d] != 1)
      return std::nullopt;
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  return slice.getStart() * inner;
}

struct ConvertClipToKernelPass
    : clip::impl::ConvertClipToKernelBase<ConvertClipToKernelPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("convert-clip-to-kernel needs a single-block function");
      return signalPassFailure();
    }
    Block &entry = func.front();
    if (failed(checkStaticShapes(func)))
      return signalPassFailure();
    // Per function: one pass instance lowers several functions (which ones
    // depends on the threads), so names and buffers must not carry over.
    buffers.clear();
    launches = 0;

    SmallVector<Operation *> graph;
    for (Operation &op : entry.without_terminator())
      graph.push_back(&op);

    OpBuilder builder(func.getContext());
    builder.setInsertionPointToStart(&entry);
    for (BlockArgument arg : entry.getArguments())
      buffers.map(arg, builder.create<InputOp>(
                           arg.getLoc(), bufferTypeOf(arg.getType()),
                           fmt::format("arg{}", arg.getArgNumber())));
    for (Operation *op : graph) {
      builder.setInsertionPoint(op);
      if (failed(lower(builder, op)))
        return signalPassFailure();
    }

    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    builder.setInsertionPoint(ret);
    for (auto [i, value] : llvm::enumerate(ret.getOperands()))
      builder.create<OutputOp>(ret.getLoc(), clip::resultOutputName(func, i),
                               buffers.lookup(value));
    builder.create<func::ReturnOp>(ret.getLoc());
    ret.erase();
    for (Operation *op : llvm::reverse(graph))
      op->erase();
    entry.eraseArguments(0, entry.getNumArguments());
    func.setType(builder.getFunctionType({}, {}));
    func.setAllArgAttrs(ArrayRef<DictionaryAttr>{});
    func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
  }

  LogicalResult checkStaticShapes(func::FuncOp func) {
    auto isStatic = [](Type type) {
      auto tensor = dyn_cast<RankedTensorType>(type);
      return tensor && tensor.hasStaticShape();
    };
    for (BlockArgument arg : func.getArguments())
      if (!isStatic(arg.getType()))
        return func.emitError("argument #")
               << arg.getArgNumber() << " has type " << arg.getType()
               << "; kernels need static shapes (run clip-prepare first)";
    for (Operation &op : func.front().without_terminator())
      for (Type type : op.getResultTypes())
        if (!isStatic(type))
          return op.emitError("result type ")
                 << type << " is not static; kernels need static shapes "
                 << "(run clip-prepare first)";
    return success();
  }

  LogicalResult lower(OpBuilder &builder, Operation *op) {
    Location loc = op->getLoc();
    if (auto param = dyn_cast<clip::ParamOp>(op)) {
      buffers.map(param.getResult(),
                  builder.create<ParamOp>(loc, bufferTypeOf(param.getType()),
                                          param.getName()));
      return success();
    }
    if (auto input = dyn_cast<clip::InputOp>(op)) {
      buffers.map(input.getResult(),
                  builder.create<InputOp>(loc, bufferTypeOf(input.getType()),
                                          input.getName()));
      return success();
    }
    if (auto constant = dyn_cast<clip::ConstantOp>(op)) {
      buffers.map(constant.getResult(),
                  builder.create<ConstantOp>(loc,
                                             bufferTypeOf(constant.getType()),
                                             constant.getValue()));
      return success();
    }
    if (auto reshape = dyn_cast<clip::ReshapeOp>(op)) {
      buffers.map(reshape.getResult(),
                  builder.create<ViewOp>(loc, bufferTypeOf(reshape.getType()),
                                         buffers.lookup(reshape.getInput()),
                                         0));
      return success();
    }
    if (auto slice = dyn_cast<clip::SliceOp>(op))
      if (std::optional<int64_t> offset = contiguousSliceOffset(slice)) {
        buffers.map(slice.getResult(),
                    builder.create<ViewOp>(loc, bufferTypeOf(slice.getType()),
                                           buffers.lookup(slice.getInput()),
                                           *offset));
        return success();
      }
    if (op->getNumRegions() != 0 && !isa<clip::ElementwiseOp>(op))
      return op->emitError("has regions; no kernel runs it");
    return launch(builder, op);
  }

  /// A launch of `op` on its operands' buffers, into fresh arena buffers.
  LogicalResult launch(OpBuilder &builder, Operation *op) {
    Location loc = op->getLoc();
    // An operand read twice (mul %x, %x) is one input buffer.
    llvm::SetVector<Value> operands(op->operand_begin(), op->operand_end());
    SmallVector<Value> ins, outs;
    for (Value operand : operands)
      ins.push_back(buffers.lookup(operand));
    for (Value result : op->getResults()) {
      Value buffer =
          builder.create<AllocOp>(loc, bufferTypeOf(result.getType()),
                                  /*offset=*/nullptr);
      outs.push_back(buffer);
      buffers.map(result, buffer);
    }
    auto name = builder.getStringAttr(
        fmt::format("{}_{}", op->getName().stripDialect().str(), launches++));
    auto launchOp = builder.create<LaunchOp>(loc, name, ins, outs);
    Block *body = new Block();
    launchOp.getBody().push_back(body);
    IRMapping arguments;
    for (Value operand : operands)
      arguments.map(operand, body->addArgument(operand.getType(), loc));
    OpBuilder bodyBuilder = OpBuilder::atBlockEnd(body);
    Operation *kernelOp = bodyBuilder.clone(*op, arguments);
    bodyBuilder.create<YieldOp>(loc, kernelOp->getResults());
    return success();
  }

  IRMapping buffers;
  int64_t launches = 0;
};

} // namespace
