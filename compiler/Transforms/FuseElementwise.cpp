//===- FuseElementwise.cpp - Elementwise chains into clip.elementwise -----===//
//
// Every elementwise op run on its own reads its operands from memory and
// writes its result back. A chain of them (the logits' `exp(s) * sim`,
// F.normalize's `x / max(sqrt(ss), eps)`, a masked fill) can run as one loop
// that keeps the values between the ops in registers. The one pattern merges
// a producer into a consumer when both are elementwise (or already groups):
// the new `clip.elementwise` stands where the consumer was, takes both ops'
// outside operands as inputs (scalar constants are copied into the body),
// and also returns the producer's results that others still read. Those
// other readers must come after the consumer, so the group can take its
// place; applied to a fixpoint, this grows each chain into one group.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::clip {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// An op that can join a group: a group itself, or a fusible op outside any
/// group that does work (constants are copied, not grouped).
bool isGroupable(Operation *op) {
  if (!op || isa_and_nonnull<ElementwiseOp>(op->getParentOp()))
    return false;
  return isPointwise(op);
}

/// A scalar constant, copied into the body instead of becoming an input.
bool isInlinedConstant(Value value) {
  Operation *def = value.getDefiningOp();
  return def && isa<ConstantOp>(def) && ElementwiseOp::isFusible(def);
}

/// The values `op` reads from outside: a group's inputs, or an op's operands
/// other than scalar constants.
SmallVector<Value> outsideOperands(Operation *op) {
  if (auto group = dyn_cast<ElementwiseOp>(op))
    return SmallVector<Value>(group.getInputs());
  SmallVector<Value> values;
  for (Value v : op->getOperands())
    if (!isInlinedConstant(v))
      values.push_back(v);
  return values;
}

/// Clones `op` (a group's body, or the op with its scalar constants) into
/// the body being built, mapping its results in `mapping`.
void cloneInto(OpBuilder &builder, Operation *op, IRMapping &mapping) {
  if (auto group = dyn_cast<ElementwiseOp>(op)) {
    Block &body = group.getBody().front();
    for (auto [arg, input] : llvm::zip(body.getArguments(), group.getInputs()))
      mapping.map(arg, mapping.lookup(input));
    for (Operation &inner : body.without_terminator())
      builder.clone(inner, mapping);
    for (auto [result, yielded] :
         llvm::zip(group.getResults(), body.getTerminator()->getOperands()))
      mapping.map(result, mapping.lookup(yielded));
    return;
  }
  for (Value v : op->getOperands())
    if (isInlinedConstant(v) && !mapping.contains(v))
      builder.clone(*v.getDefiningOp(), mapping);
  builder.clone(*op, mapping);
}

struct MergeElementwise : RewritePattern {
  MergeElementwise(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  /// Whether `producer` can move into a group at `consumer`: every other
  /// reader of its results comes after the consumer in the same block.
  static bool canMerge(Operation *producer, Operation *consumer) {
    if (!isGroupable(producer) || producer->getBlock() != consumer->getBlock())
      return false;
    for (Operation *user : producer->getUsers())
      if (user != consumer && (user->getBlock() != consumer->getBlock() ||
                               user->isBeforeInBlock(consumer)))
        return false;
    return true;
  }

  LogicalResult matchAndRewrite(Operation *consumer,
                                PatternRewriter &rewriter) const override {
    if (!isGroupable(consumer))
      return failure();
    Operation *producer = nullptr;
    for (Value v : outsideOperands(consumer))
      if (Operation *def = v.getDefiningOp(); def && canMerge(def, consumer)) {
        producer = def;
        break;
      }
    if (!producer)
      return failure();

    // Inputs: what both read from outside, less what the producer makes.
    llvm::SetVector<Value> inputs;
    for (Value v : outsideOperands(producer))
      inputs.insert(v);
    for (Value v : outsideOperands(consumer))
      if (v.getDefiningOp() != producer)
        inputs.insert(v);
    // Results: the consumer's, then the producer's that others still read.
    SmallVector<Value> exported;
    for (Value r : producer->getResults())
      if (!llvm::all_of(r.getUsers(),
                        [&](Operation *u) { return u == consumer; }))
        exported.push_back(r);
    SmallVector<Type> resultTypes(consumer->getResultTypes());
    for (Value r : exported)
      resultTypes.push_back(r.getType());

    auto group = rewriter.create<ElementwiseOp>(consumer->getLoc(), resultTypes,
                                                inputs.getArrayRef());
    Block *body = rewriter.createBlock(
        &group.getBody(), {}, TypeRange(ValueRange(inputs.getArrayRef())),
        SmallVector<Location>(inputs.size(), consumer->getLoc()));
    IRMapping mapping;
    mapping.map(inputs.getArrayRef(), body->getArguments());
    cloneInto(rewriter, producer, mapping);
    cloneInto(rewriter, consumer, mapping);
    SmallVector<Value> yielded;
    for (Value r : consumer->getResults())
      yielded.push_back(mapping.lookup(r));
    for (Value r : exported)
      yielded.push_back(mapping.lookup(r));
    rewriter.create<YieldOp>(consumer->getLoc(), yielded);

    const size_t numConsumerResults = consumer->getNumResults();
    rewriter.replaceOp(consumer,
                       group.getResults().take_front(numConsumerResults));
    for (auto [old, replacement] :
         llvm::zip(exported, group.getResults().drop_front(numConsumerResults)))
      rewriter.replaceAllUsesWith(old, replacement);
    rewriter.eraseOp(producer);
    return success();
  }
};

struct FuseElementwisePass
    : clip::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeElementwise>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
