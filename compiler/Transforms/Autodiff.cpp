//===- Autodiff.cpp - Reverse-mode differentiation of a clip function -----===//
//
// Builds the training function from the forward one: a copy of the forward
// ops, then, walking them backwards, each op's gradient rule
// (DifferentiableOpInterface) applied to the gradients of its results. The
// walk visits only ops on a path from a trainable parameter to the loss, so
// no gradient is built for inputs, frozen parameters, indices or masks.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "clip/IR/GradientSweep.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::clip {
#define GEN_PASS_DEF_AUTODIFF
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

bool isFloatTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && isa<FloatType>(type.getElementType());
}

bool isTrainableParam(Operation *op) {
  auto param = dyn_cast<ParamOp>(op);
  return param && !param.getFrozen() && isFloatTensor(param.getResult());
}

/// Which forward values the backward reads as saved, and which it
/// recomputes from the saved ones.
enum class Remat {
  None,      // keep every forward value the backward reads
  Attention, // recompute attention (output, lse) and the head reshapes
  Block,     // keep only the layer norms (residual stream, normalized input,
             // statistics); recompute GEMMs, attention and all between
};

std::optional<Remat> parseRemat(StringRef name) {
  return llvm::StringSwitch<std::optional<Remat>>(name)
      .Case("none", Remat::None)
      .Case("attention", Remat::Attention)
      .Case("block", Remat::Block)
      .Default(std::nullopt);
}

bool isDataMovement(Operation *op) {
  return isa<ReshapeOp, TransposeOp, SliceOp>(op);
}

/// Data movement that only prepares an attention's operands (the head
/// split), looking down its users.
bool feedsAttention(Operation *op) {
  return isDataMovement(op) && !op->use_empty() &&
         llvm::all_of(op->getUsers(), [](Operation *u) {
           return isa<AttentionOp>(u) || feedsAttention(u);
         });
}

/// Data movement of an attention's result (the head merge), looking up.
bool readsAttention(Operation *op) {
  if (!isDataMovement(op))
    return false;
  Operation *source = op->getOperand(0).getDefiningOp();
  return source && (isa<AttentionOp>(source) || readsAttention(source));
}

bool isHeadReshape(Operation *op) {
  return feedsAttention(op) || readsAttention(op);
}

/// Whether the backward keeps `op`'s results (true) or recomputes them.
bool keeps(Remat policy, Operation *op) {
  if (isa<ParamOp, InputOp, ConstantOp>(op))
    return true;
  switch (policy) {
  case Remat::None:
    return true;
  case Remat::Attention:
    return !isa<AttentionOp>(op) && !isHeadReshape(op);
  case Remat::Block:
    return isa<LayerNormOp, AddLayerNormOp, ContrastiveLossOp, SigmoidLossOp,
               BatchNormTrainOp>(op) ||
           llvm::none_of(op->getResultTypes(), [](Type t) {
             return isa<FloatType>(cast<ShapedType>(t).getElementType());
           });
  }
  return true;
}

/// Builds the reverse pass into `func` (a copy of the forward function).
class GradientBuilder {
public:
  GradientBuilder(func::FuncOp func, Remat remat) : func(func), remat(remat) {}

  LogicalResult run() {
    Block &body = func.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    if (ret.getNumOperands() == 0)
      return func.emitError("the function to differentiate returns nothing; "
                            "its first result must be the loss");
    Value loss = ret.getOperand(0);
    auto lossType = dyn_cast<RankedTensorType>(loss.getType());
    if (!lossType || lossType.getRank() != 0 || !isFloatTensor(loss))
      return func.emitError("the loss (first result) must be a float scalar, "
                            "got ")
             << loss.getType();
    for (Operation &op : body.without_terminator())
      if (isa<CallOpInterface>(op))
        return op.emitError("calls must be inlined before clip-autodiff "
                            "(run --clip-prepare or --clip-fuse first)");

    for (Operation &op : body.without_terminator())
      forward.push_back(&op);
    markActive(forward, loss);

    OpBuilder builder(ret);
    Location loc = func.getLoc();
    GradientSweep sweep(builder, [&](Value v) { return active.contains(v); });
    sweep.accumulate(
        loss, builder.create<ConstantOp>(
                  loc, DenseElementsAttr::get(
                           lossType, builder.getFloatAttr(
                                         lossType.getElementType(), 1.0))));
    if (failed(sweep.backward(forward)))
      return failure();

    // One gradient per trainable parameter name, in order of appearance.
    llvm::MapVector<StringRef, std::pair<Value, Type>> perName;
    for (Operation *op : forward) {
      if (!isTrainableParam(op))
        continue;
      auto param = cast<ParamOp>(op);
      auto &slot = perName[param.getName()];
      slot.second = param.getType();
      if (Value g = sweep.gradientOf(param.getResult()))
        slot.first = slot.first
                         ? builder.create<AddOp>(loc, slot.first, g).getResult()
                         : g;
    }
    SmallVector<Value> results{loss};
    SmallVector<StringRef> names;
    for (auto &[name, slot] : perName) {
      Value g = slot.first;
      if (!g) { // the parameter does not reach the loss
        auto type = cast<RankedTensorType>(slot.second);
        g = builder.create<ConstantOp>(
            loc, DenseElementsAttr::get(
                     type, builder.getFloatAttr(type.getElementType(), 0.0)));
      }
      results.push_back(g);
      names.push_back(name);
    }
    // Training-mode BatchNorm's updated running statistics, by the name of
    // the parameter they replace, so that a step can store them.
    SmallVector<std::pair<size_t, StringRef>> updates;
    for (Operation *op : forward)
      if (auto bn = dyn_cast<BatchNormTrainOp>(op))
        for (auto [old, updated] :
             {std::pair{bn.getRunningMean(), bn.getNewRunningMean()},
              {bn.getRunningVar(), bn.getNewRunningVar()}})
          if (auto param = old.getDefiningOp<ParamOp>()) {
            updates.emplace_back(results.size(), param.getName());
            results.push_back(updated);
          }
    builder.create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();

    SmallVector<Type> types;
    for (Value v : results)
      types.push_back(v.getType());
    func.setFunctionType(
        FunctionType::get(func.getContext(), func.getArgumentTypes(), types));
    // The old results' attributes go (setAllResultAttrs wants one per
    // result; an empty list only passed where assertions are compiled out).
    func.removeResAttrsAttr();
    for (auto [i, name] : llvm::enumerate(names))
      func.setResultAttr(i + 1, "clip.gradient",
                         StringAttr::get(func.getContext(), name));
    for (auto [index, name] : updates)
      func.setResultAttr(index, "clip.running_update",
                         StringAttr::get(func.getContext(), name));
    rematerialize(body);
    eraseDeadOps(body);
    return success();
  }

  /// What the backward reads from the forward: values of forward ops (not
  /// parameters, inputs or constants) with a backward user. Call after run().
  struct SavedActivations {
    int64_t values = 0, bytes = 0;
    bool dynamic = false;
  };
  SavedActivations savedActivations() {
    SavedActivations saved;
    llvm::DenseSet<Operation *> forwardOps(forward.begin(), forward.end());
    for (Operation &op : func.getBody().front().without_terminator()) {
      if (!forwardOps.contains(&op) || isa<ParamOp, InputOp, ConstantOp>(op))
        continue;
      for (Value r : op.getResults()) {
        bool readByBackward = llvm::any_of(r.getUsers(), [&](Operation *u) {
          return !forwardOps.contains(u) && !isa<func::ReturnOp>(u);
        });
        if (!readByBackward)
          continue;
        auto type = cast<RankedTensorType>(r.getType());
        if (!type.hasStaticShape()) {
          saved.dynamic = true;
          continue;
        }
        ++saved.values;
        saved.bytes += type.getNumElements() *
                       std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
      }
    }
    return saved;
  }

private:
  /// Active ops: on a path from a trainable parameter to the loss.
  void markActive(ArrayRef<Operation *> ops, Value loss) {
    llvm::DenseSet<Value> dependsOnParams;
    for (Operation *op : ops) {
      bool depends =
          isTrainableParam(op) || llvm::any_of(op->getOperands(), [&](Value v) {
            return dependsOnParams.contains(v);
          });
      if (depends)
        for (Value r : op->getResults())
          if (isFloatTensor(r))
            dependsOnParams.insert(r);
    }
    llvm::DenseSet<Value> reachesLoss{loss};
    for (Operation *op : llvm::reverse(ops)) {
      if (!llvm::any_of(op->getResults(),
                        [&](Value r) { return reachesLoss.contains(r); }))
        continue;
      for (Value v : op->getOperands())
        reachesLoss.insert(v);
    }
    for (Value v : dependsOnParams)
      if (reachesLoss.contains(v))
        active.insert(v);
  }

  /// Redirects the backward's reads of forward values that the policy does
  /// not keep to clones of their ops, placed before the first backward op
  /// that reads them (their own operands recomputed likewise, down to kept
  /// values). The forward values then die with their last forward use.
  void rematerialize(Block &body) {
    if (remat == Remat::None)
      return;
    llvm::DenseSet<Operation *> forwardOps(forward.begin(), forward.end());
    IRMapping recomputed;
    std::function<Value(Value, OpBuilder &)> recompute =
        [&](Value v, OpBuilder &b) -> Value {
      Operation *def = v.getDefiningOp();
      if (!def || !forwardOps.contains(def) || keeps(remat, def))
        return v;
      if (Value done = recomputed.lookupOrNull(v))
        return done;
      IRMapping operands;
      for (Value operand : def->getOperands())
        operands.map(operand, recompute(operand, b));
      Operation *clone = b.clone(*def, operands);
      // Marked so that a later CSE does not merge the recomputation back
      // into the forward op it copies (which would undo the policy).
      clone->setAttr("clip.recomputed", b.getUnitAttr());
      for (auto [old, copy] : llvm::zip(def->getResults(), clone->getResults()))
        recomputed.map(old, copy);
      return recomputed.lookup(v);
    };
    SmallVector<Operation *> backwardOps;
    for (Operation &op : body.without_terminator())
      if (!forwardOps.contains(&op))
        backwardOps.push_back(&op);
    for (Operation *op : backwardOps) {
      OpBuilder b(op);
      for (OpOperand &use : op->getOpOperands())
        use.set(recompute(use.get(), b));
    }
  }

  /// Removes the forward ops the training function does not need and the
  /// gradients built for operands that are not active.
  static void eraseDeadOps(Block &body) {
    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops))
      if (isOpTriviallyDead(op))
        op->erase();
  }

  func::FuncOp func;
  Remat remat;
  SmallVector<Operation *> forward;
  llvm::DenseSet<Value> active;
};

struct AutodiffPass : clip::impl::AutodiffBase<AutodiffPass> {
  using AutodiffBase::AutodiffBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>(function);
    if (!forward) {
      module.emitError("clip-autodiff: no function @") << function;
      return signalPassFailure();
    }
    if (module.lookupSymbol(trainFunction)) {
      forward.emitError("clip-autodiff: @")
          << trainFunction << " already exists";
      return signalPassFailure();
    }
    auto train = cast<func::FuncOp>(forward->clone());
    train.setSymName(trainFunction);
    train.setPublic();
    module.getBody()->getOperations().insert(std::next(forward->getIterator()),
                                             train);
    std::optional<Remat> policy = parseRemat(rematPolicy);
    if (!policy) {
      module.emitError("clip-autodiff: unknown remat policy '")
          << rematPolicy << "' (expected none, attention or block)";
      return signalPassFailure();
    }
    GradientBuilder builder(train, *policy);
    if (failed(builder.run()))
      return signalPassFailure();
    if (reportSaved) {
      auto saved = builder.savedActivations();
      // Per sample: divided by the batch, the leading dim of the first input.
      int64_t batch = 0;
      train.walk([&](InputOp in) {
        if (!batch)
          batch = cast<RankedTensorType>(in.getType()).getDimSize(0);
      });
      if (saved.dynamic || batch <= 0) {
        llvm::outs() << "saved for the backward: specialize the batch "
                        "(--clip-prepare=batch-size=N) to count bytes\n";
      } else {
        llvm::outs() << llvm::formatv(
            "saved for the backward: {0} tensors, {1} bytes at batch {2} "
            "({3} bytes per sample)\n",
            saved.values, saved.bytes, batch, saved.bytes / batch);
      }
    }
  }
};

} // namespace
