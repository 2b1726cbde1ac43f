//===- FuseContrastiveLoss.cpp - Form clip.contrastive_loss ---------------===//
//
// CLIP's loss written as ops materializes the N x N logits and two N x N
// log-softmaxes; at batch 32k that is gigabytes. Fused, each tile of logits
// is formed, reduced into row and column log-sum-exps and dropped. The
// matcher starts at the loss and walks up:
//
//   loss   = -0.5 * (mean(diag(log_softmax(logits, 1)))
//                    + mean(diag(log_softmax(logits, 0))))
//   logits = exp(logit_scale) * normalize(image) normalize(text)^T
//
// The text side may also be written as `log_softmax(transpose(logits), 1)`
// or with its own `exp(s) * normalize(text) normalize(image)^T` (OpenCLIP's
// `logits_per_text`); the factor -0.5 may be spelled with neg, mul and div.
// The logits may have other users (the model returns them); the loss
// intermediates must not.
//
// SigLIP's loss (OpenCLIP's SigLipLoss) likewise becomes clip.sigmoid_loss:
//
//   loss = -sum(log(sigmoid(labels * (logits + bias)))) / N
//
// with labels 2 I - 1 (a constant, or select(iota(0) == iota(1), 1, -1)).
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/FusionMatchers.h"
#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::clip {
#define GEN_PASS_DEF_FUSECONTRASTIVELOSS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// `x / max(sqrt(sum(x * x, [1], keepdims)), eps)` (F.normalize) on a
/// [N, D] `x`: returns x and eps.
std::optional<std::pair<Value, double>> matchL2Normalize(Value normalized) {
  auto div = normalized.getDefiningOp<DivOp>();
  if (!div)
    return std::nullopt;
  Value x = div.getLhs();
  auto clamp = div.getRhs().getDefiningOp<MaxOp>();
  if (!clamp)
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    std::optional<double> eps = splatScalar(clamp->getOperand(i));
    auto sqrt = clamp->getOperand(1 - i).getDefiningOp<SqrtOp>();
    if (!eps || *eps <= 0.0 || !sqrt)
      continue;
    auto sum = sqrt.getInput().getDefiningOp<ReduceSumOp>();
    if (!sum || !sum.getKeepdims() || sum.getAxes().size() != 1 ||
        sum.getAxes()[0] != 1)
      continue;
    auto square = sum.getInput().getDefiningOp<MulOp>();
    if (square && square.getLhs() == x && square.getRhs() == x &&
        cast<RankedTensorType>(x.getType()).getRank() == 2)
      return std::make_pair(x, *eps);
  }
  return std::nullopt;
}

/// `exp(s) * (normalize(a) @ normalize(b)^T)`, in either operand order.
struct Logits {
  Value a, b, logScale;
  double epsilon;
};

std::optional<Logits> matchLogits(Value logits) {
  auto mul = logits.getDefiningOp<MulOp>();
  if (!mul)
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    auto exp = mul->getOperand(i).getDefiningOp<ExpOp>();
    auto sim = mul->getOperand(1 - i).getDefiningOp<MatmulOp>();
    if (!exp || !sim || sim.getTransposeLhs() ||
        cast<RankedTensorType>(exp.getType()).getRank() != 0 ||
        sim.getType() != logits.getType())
      continue;
    Value rhs = sim.getRhs();
    if (!sim.getTransposeRhs()) {
      auto t = rhs.getDefiningOp<TransposeOp>();
      if (!t || !isLastTwoSwap(t.getPermutation()))
        continue;
      rhs = t.getInput();
    }
    auto a = matchL2Normalize(sim.getLhs());
    auto b = matchL2Normalize(rhs);
    if (a && b && a->second == b->second)
      return Logits{a->first, b->first, exp.getInput(), a->second};
  }
  return std::nullopt;
}

/// One cross-entropy term `mean(gather(log_softmax(X, axis), iota))` where
/// every op is used only by the next.
struct CrossEntropyTerm {
  Value input; // X
  int64_t axis;
};

std::optional<CrossEntropyTerm> matchTerm(Value term, Operation *user) {
  auto mean = soleUseOp<ReduceMeanOp>(term, user);
  if (!mean || mean.getKeepdims() || mean.getAxes().size() != 1 ||
      mean.getAxes()[0] != 0)
    return std::nullopt;
  auto diag = soleUseOp<GatherOp>(mean.getInput(), mean);
  if (!diag || diag.getAxis() != 1 || diag.getBatchDims() != 1)
    return std::nullopt;
  auto labels = diag.getIndices().getDefiningOp<IotaOp>();
  if (!labels || labels.getDim() != 0)
    return std::nullopt;
  auto logProbs = soleUseOp<LogSoftmaxOp>(diag.getInput(), diag);
  if (!logProbs || cast<RankedTensorType>(logProbs.getType()).getRank() != 2)
    return std::nullopt;
  return CrossEntropyTerm{logProbs.getInput(),
                          static_cast<int64_t>(logProbs.getAxis())};
}

/// The logits of `rows` (a log_softmax over axis 1) if `columns` reads the
/// same logits by columns: log_softmax over axis 0 of the same value, over
/// axis 1 of its transpose, or over axis 1 of `exp(s) * b_n a_n^T`.
std::optional<Logits> matchSymmetric(const CrossEntropyTerm &rows,
                                     const CrossEntropyTerm &columns) {
  if (rows.axis != 1)
    return std::nullopt;
  std::optional<Logits> logits = matchLogits(rows.input);
  if (!logits)
    return std::nullopt;
  auto sameAs = [&](std::optional<Logits> l, bool swapped) {
    return l && l->a == (swapped ? logits->b : logits->a) &&
           l->b == (swapped ? logits->a : logits->b) &&
           l->logScale == logits->logScale && l->epsilon == logits->epsilon;
  };
  bool symmetric = false;
  if (columns.axis == 0) {
    symmetric = columns.input == rows.input;
  } else if (auto t = columns.input.getDefiningOp<TransposeOp>()) {
    symmetric = isLastTwoSwap(t.getPermutation()) &&
                (t.getInput() == rows.input ||
                 sameAs(matchLogits(t.getInput()), /*swapped=*/false));
  } else {
    symmetric = sameAs(matchLogits(columns.input), /*swapped=*/true);
  }
  return symmetric ? logits : std::nullopt;
}

/// Whether `a` is defined before `b` (arguments first, in order).
bool definedBefore(Value a, Value b) {
  auto argA = dyn_cast<BlockArgument>(a), argB = dyn_cast<BlockArgument>(b);
  if (argA || argB)
    return argA && (!argB || argA.getArgNumber() < argB.getArgNumber());
  Operation *opA = a.getDefiningOp(), *opB = b.getDefiningOp();
  return opA->getBlock() == opB->getBlock() && opA->isBeforeInBlock(opB);
}

template <typename RootOp>
struct FormContrastiveLoss : OpRewritePattern<RootOp> {
  using OpRewritePattern<RootOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(RootOp root,
                                PatternRewriter &rewriter) const override {
    double factor = 1.0;
    Value sum = peelScalarFactors(root.getResult(), factor);
    if (sum == root.getResult() || factor != -0.5)
      return rewriter.notifyMatchFailure(root, "not -0.5 * (a + b)");
    auto add = sum.getDefiningOp<AddOp>();
    if (!add || !sum.hasOneUse())
      return failure();
    auto first = matchTerm(add.getLhs(), add);
    auto second = matchTerm(add.getRhs(), add);
    if (!first || !second)
      return rewriter.notifyMatchFailure(root, "no two cross-entropy terms");

    // One term is log_softmax(logits, 1) (rows: image -> text); the other
    // must read the same logits by columns. The loss is symmetric in the
    // two embeddings; when both orders fit, the one defined first is taken
    // as the image (the model files encode the image first).
    std::optional<Logits> logits = matchSymmetric(*first, *second);
    std::optional<Logits> swapped = matchSymmetric(*second, *first);
    if (!logits || (swapped && definedBefore(swapped->a, logits->a)))
      logits = swapped;
    if (!logits)
      return rewriter.notifyMatchFailure(root, "no symmetric pair of terms");

    auto image = cast<RankedTensorType>(logits->a.getType());
    if (image != logits->b.getType() ||
        logits->logScale.getType() !=
            RankedTensorType::get({}, image.getElementType()) ||
        root.getType() != logits->logScale.getType())
      return rewriter.notifyMatchFailure(root, "shapes do not fit");
    auto fused = rewriter.create<ContrastiveLossOp>(
        root.getLoc(), logits->a, logits->b, logits->logScale,
        rewriter.getF64FloatAttr(logits->epsilon));
    rewriter.replaceOp(root, fused.getLoss());
    return success();
  }
};

/// Whether `labels` [n, n] is SigLIP's 2 I - 1: a constant, or
/// `select(cmp eq (iota dim 0, iota dim 1), 1, -1)` (in either order of the
/// iotas).
bool isSigLipLabels(Value labels) {
  auto type = dyn_cast<RankedTensorType>(labels.getType());
  if (!type || type.getRank() != 2 || type.getDimSize(0) != type.getDimSize(1))
    return false;
  const int64_t n = type.getDimSize(0);
  DenseFPElementsAttr constant;
  if (matchPattern(labels, m_Constant(&constant))) {
    int64_t k = 0;
    for (const APFloat &v : constant.getValues<APFloat>()) {
      if (v.convertToDouble() != (k / n == k % n ? 1.0 : -1.0))
        return false;
      ++k;
    }
    return true;
  }
  auto select = labels.getDefiningOp<SelectOp>();
  if (!select || splatScalar(select.getOnTrue()) != 1.0 ||
      splatScalar(select.getOnFalse()) != -1.0)
    return false;
  auto cmp = select.getCondition().getDefiningOp<CmpOp>();
  if (!cmp || cmp.getPredicate() != ComparePredicate::eq)
    return false;
  auto lhs = cmp.getLhs().getDefiningOp<IotaOp>();
  auto rhs = cmp.getRhs().getDefiningOp<IotaOp>();
  return lhs && rhs && lhs.getType() == rhs.getType() &&
         cast<RankedTensorType>(lhs.getType()).getShape() == type.getShape() &&
         lhs.getDim() + rhs.getDim() == 1;
}

/// The logits plus a scalar bias, `matchLogits(x) + bias` in either order.
std::optional<std::pair<Logits, Value>> matchBiasedLogits(Value value,
                                                          Operation *user) {
  auto add = soleUseOp<AddOp>(value, user);
  if (!add)
    return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    Value bias = add->getOperand(i);
    if (cast<RankedTensorType>(bias.getType()).getRank() != 0)
      continue;
    if (std::optional<Logits> logits = matchLogits(add->getOperand(1 - i)))
      return std::make_pair(*logits, bias);
  }
  return std::nullopt;
}

template <typename RootOp>
struct FormSigmoidLoss : OpRewritePattern<RootOp> {
  using OpRewritePattern<RootOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(RootOp root,
                                PatternRewriter &rewriter) const override {
    double factor = 1.0;
    Value total = peelScalarFactors(root.getResult(), factor);
    auto sum = total.getDefiningOp<ReduceSumOp>();
    if (total == root.getResult() || !sum || !total.hasOneUse() ||
        sum.getKeepdims() || sum.getAxes().size() != 2 ||
        sum.getAxes()[0] == sum.getAxes()[1])
      return rewriter.notifyMatchFailure(root, "not a factor times a sum");
    auto log = soleUseOp<LogOp>(sum.getInput(), sum);
    auto sigmoid = log ? soleUseOp<SigmoidOp>(log.getInput(), log) : nullptr;
    auto signs = sigmoid ? soleUseOp<MulOp>(sigmoid.getInput(), sigmoid)
                         : nullptr;
    if (!signs)
      return rewriter.notifyMatchFailure(root, "no log(sigmoid(z * x))");
    std::optional<std::pair<Logits, Value>> biased;
    for (int i = 0; i < 2 && !biased; ++i)
      if (isSigLipLabels(signs->getOperand(i)))
        biased = matchBiasedLogits(signs->getOperand(1 - i), signs);
    if (!biased)
      return rewriter.notifyMatchFailure(root, "no labels * (logits + bias)");
    auto [logits, bias] = *biased;
    auto image = cast<RankedTensorType>(logits.a.getType());
    const double n = static_cast<double>(image.getDimSize(0));
    // -1 / N as written (a division by N, or a product with a rounded
    // constant).
    if (std::abs(factor * n + 1.0) > 1e-6)
      return rewriter.notifyMatchFailure(root, "not divided by -N");
    if (image != logits.b.getType() ||
        logits.logScale.getType() !=
            RankedTensorType::get({}, image.getElementType()) ||
        bias.getType() != logits.logScale.getType() ||
        root.getType() != logits.logScale.getType())
      return rewriter.notifyMatchFailure(root, "shapes do not fit");
    auto fused = rewriter.create<SigmoidLossOp>(
        root.getLoc(), logits.a, logits.b, logits.logScale, bias,
        rewriter.getF64FloatAttr(logits.epsilon));
    rewriter.replaceOp(root, fused.getLoss());
    return success();
  }
};

struct FuseContrastiveLossPass
    : clip::impl::FuseContrastiveLossBase<FuseContrastiveLossPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FormContrastiveLoss<MulOp>, FormContrastiveLoss<DivOp>,
                 FormContrastiveLoss<NegOp>, FormSigmoidLoss<MulOp>,
                 FormSigmoidLoss<DivOp>, FormSigmoidLoss<NegOp>>(
        &getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
