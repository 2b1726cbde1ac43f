//===- Pipeline.cpp - The clipc pass pipelines ----------------------------===//
#include "compiler/Pipeline/Pipeline.h"

#include "compiler/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::clip {

void buildPreparePipeline(OpPassManager &pm, const PrepareOptions &options) {
  pm.addPass(createCheckNames());
  SpecializeBatchOptions specialize;
  specialize.batchSize = options.batchSize;
  pm.addPass(createSpecializeBatch(specialize));
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildFusePipeline(OpPassManager &pm) {
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createFuseAttention());
  pm.addPass(createFuseLayerNorm());
  pm.addPass(createFuseContrastiveLoss());
  pm.addPass(createFuseEpilogues());
  pm.addPass(createFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void registerClipPipelines() {
  PassPipelineRegistration<PrepareOptions>(
      "clip-prepare",
      "Check names, specialize the batch, inline block functions, "
      "canonicalize and CSE",
      buildPreparePipeline);
  PassPipelineRegistration<>(
      "clip-fuse",
      "Inline, then fuse attention, layer norms, the contrastive loss, GEMM "
      "epilogues and elementwise chains (in that order)",
      buildFusePipeline);
}

} // namespace mlir::clip
