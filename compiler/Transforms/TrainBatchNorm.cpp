//===- TrainBatchNorm.cpp - BatchNorm with batch statistics ---------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::clip {
#define GEN_PASS_DEF_TRAINBATCHNORM
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// batch_norm(x, g, b, m, v) -> batch_norm_train(...)#0; the updated running
/// statistics are results #1 and #2 for whoever writes them back.
struct UseBatchStatistics : OpRewritePattern<BatchNormOp> {
  UseBatchStatistics(MLIRContext *context, double momentum)
      : OpRewritePattern(context), momentum(momentum) {}

  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    Type stats = op.getRunningMean().getType();
    auto train = rewriter.create<BatchNormTrainOp>(
        op.getLoc(), TypeRange{op.getType(), stats, stats}, op.getInput(),
        op.getScale(), op.getBias(), op.getRunningMean(), op.getRunningVar(),
        op.getEpsilonAttr(), rewriter.getF64FloatAttr(momentum));
    rewriter.replaceOp(op, train.getResult());
    return success();
  }

  double momentum;
};

struct TrainBatchNormPass : clip::impl::TrainBatchNormBase<TrainBatchNormPass> {
  using TrainBatchNormBase::TrainBatchNormBase;

  void runOnOperation() override {
    if (momentum < 0.0 || momentum > 1.0) {
      getOperation().emitError()
          << "clip-train-batch-norm: momentum must be in [0, 1], got "
          << momentum;
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<UseBatchStatistics>(&getContext(), momentum);
    // Only the batch norms are rewritten: nothing else is folded.
    SmallVector<Operation *> batchNorms;
    getOperation().walk([&](BatchNormOp op) { batchNorms.push_back(op); });
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyOpPatternsAndFold(batchNorms, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
