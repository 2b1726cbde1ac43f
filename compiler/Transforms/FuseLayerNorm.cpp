//===- FuseLayerNorm.cpp - Form clip.layer_norm and clip.add_layer_norm ---===//
//
// LayerNorm written as ops reads its input three times and writes five
// intermediates; fused it is one pass over the row. The matcher walks up from
// the final `+ bias` and insists on the exact dataflow of LayerNorm, so a
// near miss (another axis, a broadcast weight, an intermediate used
// elsewhere) keeps its ops.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/FusionMatchers.h"
#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::clip {
#define GEN_PASS_DEF_FUSELAYERNORM
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// reduce_mean(v) over exactly the last axis, keepdims.
bool isLastAxisMean(ReduceMeanOp op) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  return op.getKeepdims() && op.getAxes().size() == 1 &&
         op.getAxes()[0] == type.getRank() - 1;
}

/// A per-feature vector [W] of the element type of `x`.
bool isFeatureVector(Value v, RankedTensorType x) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getRank() == 1 &&
         type.getDimSize(0) == x.getShape().back() &&
         type.getElementType() == x.getElementType();
}

struct FormLayerNorm : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp root,
                                PatternRewriter &rewriter) const override {
    // out = scaled + bias; scaled = normed * weight.
    auto scaledAndBias = operandDefinedBy<MulOp>(root);
    if (!scaledAndBias)
      return rewriter.notifyMatchFailure(root, "no `* weight` operand");
    auto [scaled, bias] = *scaledAndBias;
    Value normed, weight;
    for (int i = 0; i < 2 && !normed; ++i) {
      Value candidate = scaled->getOperand(i);
      Operation *def = candidate.getDefiningOp();
      if (def && isa<MulOp, DivOp>(def) && onlyUsedBy(candidate, scaled)) {
        normed = candidate;
        weight = scaled->getOperand(1 - i);
      }
    }
    if (!normed)
      return rewriter.notifyMatchFailure(root, "no normalized operand");

    // normed = centered * rsqrt(var + eps)  or  centered / sqrt(var + eps).
    Operation *normOp = normed.getDefiningOp();
    Value centered;
    Operation *stdOp; // the sqrt or rsqrt of `var + eps`
    if (auto div = dyn_cast<DivOp>(normOp)) {
      stdOp = soleUseOp<SqrtOp>(div.getRhs(), div);
      centered = div.getLhs();
    } else {
      auto rsqrtAndCentered = operandDefinedBy<RsqrtOp>(normOp);
      stdOp = rsqrtAndCentered ? rsqrtAndCentered->first : nullptr;
      centered = rsqrtAndCentered ? rsqrtAndCentered->second : Value();
    }
    if (!stdOp)
      return rewriter.notifyMatchFailure(root, "no `rsqrt(v)` or `/ sqrt(v)`");
    auto varEpsOp = soleUseOp<AddOp>(stdOp->getOperand(0), stdOp);
    if (!varEpsOp)
      return failure();
    auto varAndEps = operandDefinedBy<ReduceMeanOp>(varEpsOp);
    if (!varAndEps)
      return failure();
    auto [var, epsValue] = *varAndEps;
    std::optional<double> epsilon = splatScalar(epsValue);
    if (!epsilon || *epsilon <= 0.0 || !isLastAxisMean(var))
      return rewriter.notifyMatchFailure(root, "no `mean(c * c) + eps`");
    auto squared = soleUseOp<MulOp>(var.getInput(), var);
    if (!squared || squared.getLhs() != centered ||
        squared.getRhs() != centered)
      return failure();

    // centered = x - mean(x), used only by the square and the normalization.
    auto sub = centered.getDefiningOp<SubOp>();
    if (!sub || !llvm::all_of(centered.getUsers(), [&](Operation *u) {
          return u == squared || u == normOp;
        }))
      return failure();
    Value x = sub.getLhs();
    auto mean = soleUseOp<ReduceMeanOp>(sub.getRhs(), sub);
    if (!mean || mean.getInput() != x || !isLastAxisMean(mean))
      return rewriter.notifyMatchFailure(root, "no `x - mean(x)`");

    auto xType = cast<RankedTensorType>(x.getType());
    if (root.getType() != xType || !isFeatureVector(weight, xType) ||
        !isFeatureVector(bias, xType))
      return rewriter.notifyMatchFailure(root, "weight/bias are not [W]");
    auto fused = rewriter.create<LayerNormOp>(
        root.getLoc(), x, weight, bias, rewriter.getF64FloatAttr(*epsilon));
    rewriter.replaceOp(root, fused.getResult());
    return success();
  }
};

/// layer_norm(a + b) -> add_layer_norm(a, b): when every other user of the
/// sum comes after the layer norm, the fused op can provide it.
struct FoldResidualAdd : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerNormOp ln,
                                PatternRewriter &rewriter) const override {
    auto add = ln.getInput().getDefiningOp<AddOp>();
    if (!add || add.getLhs().getType() != add.getType() ||
        add.getRhs().getType() != add.getType())
      return rewriter.notifyMatchFailure(ln, "input is not a same-shape add");
    for (Operation *user : add->getUsers())
      if (user != ln &&
          (user->getBlock() != ln->getBlock() || user->isBeforeInBlock(ln)))
        return rewriter.notifyMatchFailure(ln, "the sum is used before");
    auto fused = rewriter.create<AddLayerNormOp>(
        ln.getLoc(), add.getLhs(), add.getRhs(), ln.getWeight(), ln.getBias(),
        ln.getEpsilonAttr());
    rewriter.replaceOp(ln,
                       {fused.getResult(), fused.getMean(), fused.getRstd()});
    rewriter.replaceOp(add, fused.getSum());
    return success();
  }
};

struct FuseLayerNormPass : clip::impl::FuseLayerNormBase<FuseLayerNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FormLayerNorm, FoldResidualAdd>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
