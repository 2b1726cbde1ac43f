//===- FuseAttention.cpp - Form clip.attention ----------------------------===//
//
// `softmax(scale * q k^T + mask) v` written as ops stores the L x L scores
// and probabilities of every head; fused, they live only in registers (and the
// backward recomputes them from the log-sum-exp). The matcher starts at the
// `probs @ v` matmul and walks up: the softmax over keys, an optional causal
// mask (additive -inf or a select), scalar factors on the scores, the query
// or the key (`mul`/`div` by constants, in any combination), and `q k^T` as
// a matmul with `transpose_rhs` or of an explicitly transposed key.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/FusionMatchers.h"
#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>

namespace mlir::clip {
#define GEN_PASS_DEF_FUSEATTENTION
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// What a value is as an attention mask over the last two dims [Lq, Lk].
enum class MaskKind {
  None,
  Additive, // 0 where key j <= query i, -inf elsewhere
  Visible,  // true where j <= i
  Hidden,   // true where j > i
};

/// Classifies `mask` as a causal mask: `clip.causal_mask`, or a constant with
/// exactly its values (any leading dims of size 1).
MaskKind causalMaskKind(Value mask) {
  auto type = dyn_cast<RankedTensorType>(mask.getType());
  if (!type || type.getRank() < 2 || !type.hasStaticShape() ||
      llvm::any_of(type.getShape().drop_back(2),
                   [](int64_t d) { return d != 1; }))
    return MaskKind::None;
  const bool boolean = type.getElementType().isInteger(1);
  if (mask.getDefiningOp<CausalMaskOp>())
    return boolean ? MaskKind::Visible : MaskKind::Additive;

  DenseElementsAttr attr;
  if (!matchPattern(mask, m_Constant(&attr)))
    return MaskKind::None;
  const int64_t cols = type.getShape().back();
  // Which kind every element agrees with; ruled out one by one.
  bool additive = !boolean, visible = boolean, hidden = boolean;
  int64_t flat = 0;
  if (boolean) {
    for (bool v : attr.getValues<bool>()) {
      const bool above = flat % cols > flat / cols;
      visible &= v == !above;
      hidden &= v == above;
      ++flat;
    }
  } else if (isa<FloatType>(type.getElementType())) {
    for (const APFloat &v : attr.getValues<APFloat>()) {
      const bool above = flat % cols > flat / cols;
      additive &= above ? (v.isInfinity() && v.isNegative()) : v.isZero();
      ++flat;
    }
  } else {
    return MaskKind::None;
  }
  return additive  ? MaskKind::Additive
         : visible ? MaskKind::Visible
         : hidden  ? MaskKind::Hidden
                   : MaskKind::None;
}

bool isNegativeInfinity(Value value) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat())
    return false;
  APFloat v = attr.getSplatValue<APFloat>();
  return v.isInfinity() && v.isNegative();
}

/// If `scores` (used only by `user`) is the masked form of other scores,
/// returns those and sets `causal`. A mask must not change the scores' type.
Value peelCausalMask(Value scores, Operation *user, bool &causal) {
  Operation *op = scores.getDefiningOp();
  if (!op || !onlyUsedBy(scores, user))
    return scores;
  // The mask covers exactly the square [L, L] of queries and keys.
  auto type = cast<RankedTensorType>(scores.getType());
  ArrayRef<int64_t> shape = type.getShape();
  auto coversScores = [&](Value mask) {
    auto maskType = cast<RankedTensorType>(mask.getType());
    return type.getRank() >= 2 && maskType.getRank() >= 2 &&
           !ShapedType::isDynamic(shape.back()) &&
           shape.back() == shape[shape.size() - 2] &&
           maskType.getShape().take_back(2) == shape.take_back(2);
  };
  if (auto add = dyn_cast<AddOp>(op)) {
    for (int i = 0; i < 2; ++i)
      if (causalMaskKind(add->getOperand(i)) == MaskKind::Additive &&
          coversScores(add->getOperand(i)) &&
          add->getOperand(1 - i).getType() == scores.getType()) {
        causal = true;
        return add->getOperand(1 - i);
      }
  }
  if (auto select = dyn_cast<SelectOp>(op)) {
    MaskKind kind = causalMaskKind(select.getCondition());
    // select(visible, s, -inf) or select(hidden, -inf, s).
    Value kept = kind == MaskKind::Visible  ? select.getOnTrue()
                 : kind == MaskKind::Hidden ? select.getOnFalse()
                                            : Value();
    Value dropped =
        kind == MaskKind::Visible ? select.getOnFalse() : select.getOnTrue();
    if (kept && kept.getType() == scores.getType() &&
        coversScores(select.getCondition()) && isNegativeInfinity(dropped)) {
      causal = true;
      return kept;
    }
  }
  return scores;
}

/// Leading dims equal (no broadcasting inside the fused op).
bool sameLeadingDims(RankedTensorType a, RankedTensorType b) {
  return a.getRank() == b.getRank() &&
         a.getShape().drop_back(2) == b.getShape().drop_back(2);
}

struct FormAttention : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp context,
                                PatternRewriter &rewriter) const override {
    if (context.getTransposeLhs() || context.getTransposeRhs())
      return failure();
    // context = softmax(scores, keys) @ v
    auto softmax = soleUseOp<SoftmaxOp>(context.getLhs(), context);
    Value value = context.getRhs();
    if (!softmax)
      return rewriter.notifyMatchFailure(context, "lhs is not a softmax");
    auto scoresType = cast<RankedTensorType>(softmax.getType());
    if (static_cast<int64_t>(softmax.getAxis()) != scoresType.getRank() - 1)
      return rewriter.notifyMatchFailure(context, "softmax is not over keys");

    // The scores feed the softmax, or the mask that feeds it.
    bool causal = false;
    Value masked = softmax.getInput();
    Value scores = peelCausalMask(masked, softmax, causal);
    Operation *scoresUser = causal ? masked.getDefiningOp() : softmax;
    if (!onlyUsedBy(scores, scoresUser))
      return rewriter.notifyMatchFailure(context, "scores used elsewhere");
    double scale = 1.0;
    Value product = peelScalarFactors(scores, scale);
    auto qk = product.getDefiningOp<MatmulOp>();
    if (!qk || qk.getTransposeLhs() || !product.hasOneUse())
      return rewriter.notifyMatchFailure(context, "no `q k^T` matmul");

    // Scalar factors on q or k count as factors on the scores.
    auto peelOperand = [&](Value operand, Operation *user) -> Value {
      Value peeled = peelScalarFactors(operand, scale);
      return peeled == operand || onlyUsedBy(operand, user) ? peeled : Value();
    };
    Value query = peelOperand(qk.getLhs(), qk);
    Value key = qk.getRhs();
    Operation *keyUser = qk;
    if (!qk.getTransposeRhs()) {
      auto transpose = key.getDefiningOp<TransposeOp>();
      if (!transpose || !isLastTwoSwap(transpose.getPermutation()) ||
          !onlyUsedBy(key, qk))
        return rewriter.notifyMatchFailure(context,
                                           "the key is not transposed");
      key = transpose.getInput();
      keyUser = transpose;
    }
    key = peelOperand(key, keyUser);
    if (!query || !key)
      return rewriter.notifyMatchFailure(context, "scaled q/k used elsewhere");
    if (!std::isfinite(scale) || scale <= 0.0)
      return rewriter.notifyMatchFailure(context, "scale is not positive");

    auto q = cast<RankedTensorType>(query.getType());
    auto k = cast<RankedTensorType>(key.getType());
    auto v = cast<RankedTensorType>(value.getType());
    if (!sameLeadingDims(q, k) || !sameLeadingDims(q, v) ||
        q.getElementType() != v.getElementType() ||
        !isa<FloatType>(q.getElementType()))
      return rewriter.notifyMatchFailure(context, "heads do not line up");
    auto fused = rewriter.create<AttentionOp>(
        context.getLoc(), query, key, value, rewriter.getF64FloatAttr(scale),
        causal ? rewriter.getUnitAttr() : UnitAttr());
    if (fused.getResult().getType() != context.getType()) {
      rewriter.eraseOp(fused);
      return rewriter.notifyMatchFailure(context, "result type differs");
    }
    rewriter.replaceOp(context, fused.getResult());
    return success();
  }
};

struct FuseAttentionPass : clip::impl::FuseAttentionBase<FuseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FormAttention>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
