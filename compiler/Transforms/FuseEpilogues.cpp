//===- FuseEpilogues.cpp - Fold bias, activation and residual into GEMMs --===//
//
// A linear layer written as ops writes the product, reads it back to add the
// bias, writes again, reads again for GELU, and once more for a residual add.
// `clip.gemm` applies `act(a @ b + bias) + residual` as the product leaves the
// accumulators. Three patterns grow a GEMM one epilogue step at a time, each
// only in that order and only when the value it extends has no other user:
//
//   matmul | gemm            + [N] vector        -> gemm bias
//   matmul | gemm (no resid) -> clip.gelu         -> gemm activation
//   matmul | gemm            + same-type tensor  -> gemm residual
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/FusionMatchers.h"
#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::clip {
#define GEN_PASS_DEF_FUSEEPILOGUES
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// A GEMM under construction: a float `clip.matmul` or a `clip.gemm`, seen
/// as the parts of a `clip.gemm`.
struct GemmParts {
  Value lhs, rhs, bias, residual;
  bool transposeLhs = false, transposeRhs = false;
  Activation activation = Activation::none;

  static std::optional<GemmParts> of(Value value, Operation *user) {
    Operation *op = value.getDefiningOp();
    if (!op || !onlyUsedBy(value, user) ||
        !isa<FloatType>(cast<ShapedType>(value.getType()).getElementType()))
      return std::nullopt;
    if (auto mm = dyn_cast<MatmulOp>(op))
      return GemmParts{
          mm.getLhs(),          mm.getRhs(),     {}, {}, mm.getTransposeLhs(),
          mm.getTransposeRhs(), Activation::none};
    if (auto gemm = dyn_cast<GemmOp>(op))
      return GemmParts{gemm.getLhs(),          gemm.getRhs(),
                       gemm.getBias(),         gemm.getResidual(),
                       gemm.getTransposeLhs(), gemm.getTransposeRhs(),
                       gemm.getActivation()};
    return std::nullopt;
  }

  void replace(PatternRewriter &rewriter, Operation *root) const {
    auto gemm = rewriter.create<GemmOp>(
        root->getLoc(), root->getResultTypes(), lhs, rhs, bias, residual,
        transposeLhs ? rewriter.getUnitAttr() : UnitAttr(),
        transposeRhs ? rewriter.getUnitAttr() : UnitAttr(),
        ActivationAttr::get(rewriter.getContext(), activation));
    rewriter.replaceOp(root, gemm.getResult());
  }
};

/// `gemm + bias` where bias is [N] and the GEMM has no epilogue yet.
struct FoldBias : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      auto parts = GemmParts::of(add->getOperand(i), add);
      Value bias = add->getOperand(1 - i);
      auto biasType = cast<RankedTensorType>(bias.getType());
      if (!parts || parts->bias || parts->residual ||
          parts->activation != Activation::none || biasType.getRank() != 1 ||
          add.getType() != add->getOperand(i).getType() ||
          biasType.getDimSize(0) != add.getType().getShape().back())
        continue;
      parts->bias = bias;
      parts->replace(rewriter, add);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not matmul + [N] bias");
  }
};

Activation activationOf(GeluApproximation approximation) {
  switch (approximation) {
  case GeluApproximation::none:
    return Activation::gelu;
  case GeluApproximation::tanh:
    return Activation::gelu_tanh;
  case GeluApproximation::quick:
    return Activation::quick_gelu;
  }
  llvm_unreachable("unknown GELU approximation");
}

/// `gelu(gemm)` where the GEMM has no activation or residual yet.
struct FoldActivation : OpRewritePattern<GeluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GeluOp gelu,
                                PatternRewriter &rewriter) const override {
    auto parts = GemmParts::of(gelu.getInput(), gelu);
    if (!parts || parts->residual || parts->activation != Activation::none)
      return rewriter.notifyMatchFailure(gelu, "input is not a bare GEMM");
    parts->activation = activationOf(gelu.getApproximation());
    parts->replace(rewriter, gelu);
    return success();
  }
};

/// `gemm + r` where r has the GEMM's type, after the rest of the epilogue.
struct FoldResidual : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      auto parts = GemmParts::of(add->getOperand(i), add);
      Value residual = add->getOperand(1 - i);
      if (!parts || parts->residual || residual.getType() != add.getType() ||
          add->getOperand(i).getType() != add.getType())
        continue;
      parts->residual = residual;
      parts->replace(rewriter, add);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not gemm + same-type tensor");
  }
};

struct FuseEpiloguesPass : clip::impl::FuseEpiloguesBase<FuseEpiloguesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBias, FoldActivation, FoldResidual>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
