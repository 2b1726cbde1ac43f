//===- SpecializeBatch.cpp - Give the dynamic batch dimension a value -----===//
//
// Type propagation rather than local rewrites: every result type downstream of
// a `?` changes, and ops that fold the batch into another dim (reshape) need
// their shape rule re-run, so the pass walks each function once in order and
// re-infers. Callees go first so that calls see their specialized signatures.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::clip {
#define GEN_PASS_DEF_SPECIALIZEBATCH
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// `type` with every `?` replaced by `batch`; other types unchanged.
Type specializeType(Type type, int64_t batch) {
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.hasStaticShape())
    return type;
  SmallVector<int64_t> shape(tensor.getShape());
  for (int64_t &d : shape)
    if (ShapedType::isDynamic(d))
      d = batch;
  return RankedTensorType::get(shape, tensor.getElementType(),
                               tensor.getEncoding());
}

/// Functions in an order where every callee comes before its callers.
/// Fails on recursion, which a model graph never needs.
FailureOr<SmallVector<func::FuncOp>> calleesFirst(ModuleOp module,
                                                  SymbolTable &symbols) {
  SmallVector<func::FuncOp> order;
  llvm::DenseSet<Operation *> done;
  llvm::SetVector<Operation *> inProgress;

  std::function<LogicalResult(func::FuncOp)> visit =
      [&](func::FuncOp func) -> LogicalResult {
    if (done.contains(func))
      return success();
    if (!inProgress.insert(func))
      return func.emitError("recursive call to '")
             << func.getSymName() << "' cannot be specialized";
    WalkResult result = func.walk([&](func::CallOp call) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      if (!callee) {
        call.emitError("callee '")
            << call.getCallee() << "' is not a func.func";
        return WalkResult::interrupt();
      }
      return failed(visit(callee)) ? WalkResult::interrupt()
                                   : WalkResult::advance();
    });
    inProgress.remove(func);
    if (result.wasInterrupted())
      return failure();
    done.insert(func);
    order.push_back(func);
    return success();
  };

  for (auto func : module.getOps<func::FuncOp>())
    if (failed(visit(func)))
      return failure();
  return order;
}

/// Gives a call the result types of its (already specialized) callee.
LogicalResult specializeCall(func::CallOp call, SymbolTable &symbols) {
  auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
  FunctionType type = callee.getFunctionType();
  if (call.getOperandTypes() != type.getInputs())
    return call.emitOpError("operand types ")
           << call.getOperandTypes() << " do not match the specialized callee '"
           << callee.getSymName() << "' inputs " << type.getInputs();
  for (auto [result, resultType] :
       llvm::zip(call.getResults(), type.getResults()))
    result.setType(resultType);
  return success();
}

/// Re-runs the op's shape rule on its (specialized) operands; the rule
/// reports at the op what no longer fits.
LogicalResult reinferResults(InferTypeOpInterface op) {
  Operation *operation = op.getOperation();
  SmallVector<Type> inferred;
  if (failed(op.inferReturnTypes(operation->getContext(), operation->getLoc(),
                                 operation->getOperands(),
                                 operation->getAttrDictionary(),
                                 operation->getPropertiesStorage(),
                                 operation->getRegions(), inferred)))
    return failure();
  for (auto [result, type] : llvm::zip(operation->getResults(), inferred))
    result.setType(type);
  return success();
}

LogicalResult specializeFunction(func::FuncOp func, int64_t batch,
                                 SymbolTable &symbols) {
  auto specializeAll = [&](TypeRange types) {
    return llvm::map_to_vector(
        types, [&](Type t) { return specializeType(t, batch); });
  };

  if (func.isExternal()) {
    FunctionType type = func.getFunctionType();
    func.setFunctionType(FunctionType::get(func.getContext(),
                                           specializeAll(type.getInputs()),
                                           specializeAll(type.getResults())));
    return success();
  }

  WalkResult walk = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(specializeType(arg.getType(), batch));
    if (op == func.getOperation())
      return WalkResult::advance();

    LogicalResult status = success();
    if (auto call = llvm::dyn_cast<func::CallOp>(op))
      status = specializeCall(call, symbols);
    else if (auto inferable = llvm::dyn_cast<InferTypeOpInterface>(op))
      status = reinferResults(inferable);
    else
      // A declared type (input, broadcast, cast, ...): `?` is the batch.
      for (OpResult result : op->getResults())
        result.setType(specializeType(result.getType(), batch));
    return failed(status) ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  // The signature follows the body.
  SmallVector<Type> resultTypes;
  if (auto ret =
          llvm::dyn_cast<func::ReturnOp>(func.getBody().back().getTerminator()))
    resultTypes.assign(ret.getOperandTypes().begin(),
                       ret.getOperandTypes().end());
  func.setFunctionType(FunctionType::get(
      func.getContext(), func.getBody().getArgumentTypes(), resultTypes));
  return success();
}

struct SpecializeBatchPass
    : clip::impl::SpecializeBatchBase<SpecializeBatchPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (batchSize < 1) {
      module.emitError("clip-specialize-batch needs batch-size >= 1, got ")
          << static_cast<int64_t>(batchSize);
      return signalPassFailure();
    }
    SymbolTable symbols(module);
    auto order = calleesFirst(module, symbols);
    if (failed(order))
      return signalPassFailure();
    for (func::FuncOp func : *order)
      if (failed(specializeFunction(func, batchSize, symbols)))
        return signalPassFailure();
  }
};

} // namespace
