//===- SplitTrainStep.cpp - The training function cut at its loss ---------===//
//
// Data-parallel training takes the contrastive loss over the features of
// every process (OpenCLIP's gather-with-grad), so the runtime must stand
// between the towers and the loss: @train_embed runs the towers and keeps
// what the backward reads as outputs, the runtime gathers the features and
// takes the loss and the features' gradients, @train_backward takes those as
// inputs and produces the parameters' gradients. The cut is a partition of
// @train_step's ops (each is computed once, as in the unsplit step): the
// loss's ancestors in one function, the rest in the other.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "runtime/abi/ClipLibrary.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include "fmt/format.h"

namespace mlir::clip {
#define GEN_PASS_DEF_SPLITTRAINSTEP
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// Values every function can make for itself rather than receive.
bool isLeaf(Operation *op) { return isa<ParamOp, InputOp, ConstantOp>(op); }

/// Removes ops whose results nobody reads, last first.
void eraseDeadOps(func::FuncOp func) {
  Block &body = func.getBody().front();
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (isOpTriviallyDead(&op))
      op.erase();
}

/// The loss the cut is made at, contrastive or sigmoid, and its gradient:
/// what the splitter reads of either.
struct Loss {
  Operation *forward = nullptr, *backward = nullptr;
  Value image, text, scale, bias; ///< bias: the sigmoid loss's only
  Value value;                    ///< the scalar loss
  SmallVector<Value> grads;       ///< image, text, scale (, bias)
  FloatAttr epsilon;

  static Loss of(ContrastiveLossOp l, ContrastiveLossGradOp g) {
    if (!g)
      return {l};
    return {l,        g,
            l.getImage(), l.getText(),
            l.getLogitScale(), Value(),
            l.getLoss(), {g.getImageGrad(), g.getTextGrad(), g.getLogitScaleGrad()},
            l.getEpsilonAttr()};
  }
  static Loss of(SigmoidLossOp l, SigmoidLossGradOp g) {
    if (!g)
      return {l};
    return {l,
            g,
            l.getImage(),
            l.getText(),
            l.getLogitScale(),
            l.getLogitBias(),
            l.getLoss(),
            {g.getImageGrad(), g.getTextGrad(), g.getLogitScaleGrad(),
             g.getLogitBiasGrad()},
            l.getEpsilonAttr()};
  }
  /// Whether `g` is the gradient of this loss (the same operands).
  bool matches() const {
    OperandRange a = forward->getOperands(), b = backward->getOperands();
    return b.size() > a.size() && llvm::equal(a, b.slice(1, a.size()));
  }
};

class Splitter {
public:
  Splitter(ModuleOp module, func::FuncOp train, Loss loss)
      : module(module), train(train), loss(std::move(loss)),
        ctx(module.getContext()) {}

  LogicalResult run() {
    Block &body = train.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    collectEmbedOps();
    for (Operation *op : embedOps)
      if (isa<BatchNormTrainOp>(op))
        return op->emitError(
            "clip-split-train-step: BatchNorm with batch statistics would "
            "normalize each process's batch, not the global one (no "
            "synchronized BatchNorm yet); train this model in one process");
    if (ret.getNumOperands() == 0 || ret.getOperand(0) != loss.value)
      return train.emitError("clip-split-train-step: @" CLIP_TRAIN_STEP
                             "'s first result must be the loss");
    for (Value result : loss.forward->getResults())
      for (Operation *user : result.getUsers())
        if (user != loss.backward &&
            !(isa<func::ReturnOp>(user) && result == loss.value))
          return user->emitError(
              "clip-split-train-step: reads the loss's results; only its "
              "gradient and the returned loss may");

    OpBuilder builder(ctx);
    builder.setInsertionPointAfter(train);
    Location loc = train.getLoc();
    embed = builder.create<func::FuncOp>(loc, CLIP_TRAIN_EMBED,
                                         FunctionType::get(ctx, {}, {}));
    backward = builder.create<func::FuncOp>(loc, CLIP_TRAIN_BACKWARD,
                                            FunctionType::get(ctx, {}, {}));
    OpBuilder e = OpBuilder::atBlockEnd(embed.addEntryBlock());
    OpBuilder b = OpBuilder::atBlockEnd(backward.addEntryBlock());

    for (Operation &op : body.without_terminator())
      if (embedOps.contains(&op))
        e.clone(op, embedMap);
    // The features leave @train_embed first, by name.
    addEmbedResult(loss.image, CLIP_IMAGE_FEATURES);
    addEmbedResult(loss.text, CLIP_TEXT_FEATURES);

    // The loss's gradients are @train_backward's inputs.
    const char *names[] = {CLIP_IMAGE_FEATURES, CLIP_TEXT_FEATURES,
                           CLIP_LOGIT_SCALE, CLIP_LOGIT_BIAS};
    for (auto [result, name] : llvm::zip(loss.grads, names))
      backMap.map(result,
                  b.create<InputOp>(loc, result.getType(),
                                    std::string(CLIP_GRAD_PREFIX) + name));
    for (Operation &op : body.without_terminator()) {
      if (embedOps.contains(&op) || &op == loss.forward || &op == loss.backward)
        continue;
      for (Value operand : op.getOperands())
        if (failed(reach(operand, b)))
          return failure();
      b.clone(op, backMap);
    }

    // The results keep their attributes (clip.gradient,
    // clip.running_update) in the function that computes them.
    SmallVector<Value> backResults;
    SmallVector<DictionaryAttr> backAttrs;
    for (unsigned i = 1; i < ret.getNumOperands(); ++i) {
      Value v = ret.getOperand(i);
      Operation *def = v.getDefiningOp();
      if (def && embedOps.contains(def) && !isLeaf(def)) {
        embedResults.push_back(embedMap.lookup(v));
        embedAttrs.push_back(train.getResultAttrDict(i));
        continue;
      }
      if (failed(reach(v, b)))
        return failure();
      // A gradient that is one of the inputs unchanged (logit_scale's and
      // logit_bias's: the loss's own) is the runtime's already; no output.
      if (backMap.lookup(v).getDefiningOp<InputOp>())
        continue;
      backResults.push_back(backMap.lookup(v));
      backAttrs.push_back(train.getResultAttrDict(i));
    }
    // Saved values last, so that the features and updates keep their places.
    for (auto &[value, name] : saved) {
      embedResults.push_back(value);
      embedAttrs.push_back(named(name));
    }
    finish(embed, e, embedResults, embedAttrs);
    finish(backward, b, backResults, backAttrs);
    module->setAttr("clip.loss_epsilon", loss.epsilon);
    return success();
  }

private:
  /// The loss's features and everything they are computed from.
  void collectEmbedOps() {
    SmallVector<Value> work{loss.image, loss.text};
    while (!work.empty()) {
      Operation *def = work.pop_back_val().getDefiningOp();
      if (!def || !embedOps.insert(def).second)
        continue;
      llvm::append_range(work, def->getOperands());
    }
  }

  DictionaryAttr named(StringRef name) {
    return DictionaryAttr::get(
        ctx, {NamedAttribute(StringAttr::get(ctx, "clip.output"),
                             StringAttr::get(ctx, name))});
  }

  void addEmbedResult(Value v, StringRef name) {
    embedResults.push_back(embedMap.lookup(v));
    embedAttrs.push_back(named(name));
    crossing[v] = name.str();
  }

  /// Makes `v` (a value of @train_step) available in @train_backward: a
  /// leaf is copied, any other value of @train_embed comes as a saved input.
  LogicalResult reach(Value v, OpBuilder &b) {
    if (backMap.contains(v))
      return success();
    Operation *def = v.getDefiningOp();
    if (!def || !embedOps.contains(def))
      return train.emitError("clip-split-train-step: a value is read before "
                             "it is defined");
    if (isLeaf(def)) {
      b.clone(*def, backMap);
      return success();
    }
    auto [it, added] = crossing.try_emplace(
        v, fmt::format("{}{}", CLIP_SAVED_PREFIX, saved.size()));
    if (added)
      saved.emplace_back(embedMap.lookup(v), it->second);
    backMap.map(v, b.create<InputOp>(v.getLoc(), v.getType(), it->second));
    return success();
  }

  void finish(func::FuncOp func, OpBuilder &builder, ArrayRef<Value> results,
              ArrayRef<DictionaryAttr> attrs) {
    builder.create<func::ReturnOp>(func.getLoc(), results);
    func.setFunctionType(
        FunctionType::get(ctx, {}, ValueRange(results).getTypes()));
    func.setAllResultAttrs(attrs);
    eraseDeadOps(func);
  }

  ModuleOp module;
  func::FuncOp train;
  Loss loss;
  MLIRContext *ctx;
  func::FuncOp embed, backward;
  llvm::DenseSet<Operation *> embedOps;
  IRMapping embedMap, backMap;
  SmallVector<Value> embedResults;
  SmallVector<DictionaryAttr> embedAttrs;
  /// Values of @train_step that cross the cut, by name.
  llvm::DenseMap<Value, std::string> crossing;
  /// (value of @train_embed, name) of each saved value, in order.
  SmallVector<std::pair<Value, std::string>> saved;
};

struct SplitTrainStepPass : clip::impl::SplitTrainStepBase<SplitTrainStepPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto train = module.lookupSymbol<func::FuncOp>(CLIP_TRAIN_STEP);
    if (!train) {
      module.emitError("clip-split-train-step: no @" CLIP_TRAIN_STEP
                       " to split (run clip-autodiff first)");
      return signalPassFailure();
    }
    for (const char *name : {CLIP_TRAIN_EMBED, CLIP_TRAIN_BACKWARD})
      if (module.lookupSymbol(name)) {
        module.emitError(fmt::format(
            "clip-split-train-step: the module already has @{}", name));
        return signalPassFailure();
      }
    SmallVector<Loss> losses;
    SmallVector<Operation *> grads;
    train.walk([&](Operation *op) {
      if (isa<ContrastiveLossGradOp, SigmoidLossGradOp>(op))
        grads.push_back(op);
    });
    train.walk([&](Operation *op) {
      // Each loss with the first gradient of its kind (checked below).
      auto gradOf = [&](auto kind) {
        for (Operation *g : grads)
          if (auto typed = dyn_cast<decltype(kind)>(g))
            return typed;
        return decltype(kind)();
      };
      if (auto l = dyn_cast<ContrastiveLossOp>(op))
        losses.push_back(Loss::of(l, gradOf(ContrastiveLossGradOp())));
      if (auto l = dyn_cast<SigmoidLossOp>(op))
        losses.push_back(Loss::of(l, gradOf(SigmoidLossGradOp())));
    });
    if (losses.size() != 1 || grads.size() != 1 || !losses[0].backward) {
      train.emitError(fmt::format(
          "clip-split-train-step: @" CLIP_TRAIN_STEP " must have one loss "
          "(clip.contrastive_loss or clip.sigmoid_loss) and its gradient to "
          "split at (found {} and {})",
          losses.size(), grads.size()));
      return signalPassFailure();
    }
    Loss loss = losses.front();
    if (!loss.matches()) {
      loss.backward->emitError("clip-split-train-step: this gradient is not "
                               "the one of the function's loss");
      return signalPassFailure();
    }
    if (failed(Splitter(module, train, std::move(loss)).run()))
      signalPassFailure();
  }
};

} // namespace
