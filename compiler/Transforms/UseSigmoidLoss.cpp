//===- UseSigmoidLoss.cpp - A CLIP model trained with SigLIP's loss -------===//
//
// The contrastive loss and the sigmoid loss read the same things (the two
// towers' embeddings and a log-scale), so a model file written with one
// graph trains with either: this pass swaps the fused loss and adds the
// sigmoid loss's learned bias as a parameter.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::clip {
#define GEN_PASS_DEF_USESIGMOIDLOSS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

constexpr llvm::StringLiteral kBias = "logit_bias";

struct UseSigmoidLossPass
    : clip::impl::UseSigmoidLossBase<UseSigmoidLossPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool hasBias = false;
    module.walk([&](ParamOp param) { hasBias |= param.getName() == kBias; });
    SmallVector<ContrastiveLossOp> losses;
    module.walk([&](ContrastiveLossOp loss) { losses.push_back(loss); });
    if (losses.empty()) {
      module.emitError("--loss siglip: the model has no clip.contrastive_loss "
                       "to replace (write the loss as OpenCLIP's ClipLoss, "
                       "which clip-fuse-contrastive-loss forms)");
      return signalPassFailure();
    }
    if (hasBias) {
      module.emitError("--loss siglip: the model already has a `logit_bias` "
                       "parameter");
      return signalPassFailure();
    }
    for (ContrastiveLossOp loss : losses) {
      for (OpResult statistic : loss->getResults().drop_front())
        if (!statistic.use_empty()) {
          loss.emitError("--loss siglip: the contrastive loss's result ")
              << statistic.getResultNumber()
              << " (norms or log-sum-exps) has users besides the loss";
          return signalPassFailure();
        }
      OpBuilder b(loss);
      // The bias beside the scale it shifts, so the parameter lists read
      // logit_scale, logit_bias.
      Value scale = loss.getLogitScale();
      if (Operation *def = scale.getDefiningOp())
        b.setInsertionPointAfter(def);
      auto bias = b.create<ParamOp>(loss.getLoc(), scale.getType(),
                                    b.getStringAttr(kBias), UnitAttr());
      b.setInsertionPoint(loss);
      auto sigmoid = b.create<SigmoidLossOp>(
          loss.getLoc(), loss.getImage(), loss.getText(), scale,
          bias.getResult(), loss.getEpsilonAttr());
      loss.getLoss().replaceAllUsesWith(sigmoid.getLoss());
      loss.erase();
    }
  }
};

} // namespace
