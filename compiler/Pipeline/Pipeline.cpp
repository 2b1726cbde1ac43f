//===- Pipeline.cpp - The clipc pass pipelines ----------------------------===//
#include "compiler/Pipeline/Pipeline.h"

#include "compiler/Conversion/Passes.h"
#include "compiler/Transforms/Passes.h"
#include "kernel/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
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
  pm.addPass(createPatchesAsMatmul());
  pm.addPass(createFuseEpilogues());
  pm.addPass(createFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildTrainPipeline(OpPassManager &pm, const TrainOptions &options) {
  if (options.trainBatchNorm)
    pm.addPass(createTrainBatchNorm());
  PrepareOptions prepare;
  prepare.batchSize = options.batchSize;
  buildPreparePipeline(pm, prepare);
  if (options.imageDropout > 0 || options.textDropout > 0) {
    InsertDropoutOptions dropout;
    dropout.imageRate = options.imageDropout;
    dropout.textRate = options.textDropout;
    pm.addPass(createInsertDropout(dropout));
  }
  buildFusePipeline(pm);
  if (options.loss == "siglip")
    pm.addPass(createUseSigmoidLoss());
  if (options.lockImage || options.lockText ||
      options.lockImageUnlockedGroups || options.lockTextUnlockedGroups) {
    LockTowersOptions lock;
    lock.lockImage = options.lockImage;
    lock.imageUnlockedGroups = options.lockImageUnlockedGroups;
    lock.lockText = options.lockText;
    lock.textUnlockedGroups = options.lockTextUnlockedGroups;
    pm.addPass(createLockTowers(lock));
  }
  AutodiffOptions autodiff;
  autodiff.rematPolicy = options.remat;
  pm.addPass(createAutodiff(autodiff));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // The backward's elementwise ops arrive one by one: group them again.
  pm.addPass(createFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.distributed)
    pm.addPass(createSplitTrainStep());
}

void buildKernelPipeline(OpPassManager &pm, const KernelOptions &options) {
  OpPassManager &funcs = pm.nest<func::FuncOp>();
  funcs.addPass(clip::createConvertClipToKernel());
  kernel::MixedPrecisionOptions precision;
  precision.precision = options.precision;
  funcs.addPass(kernel::createMixedPrecision(precision));
  if (options.inPlace)
    funcs.addPass(kernel::createReuseInPlace());
  kernel::PlanMemoryOptions plan;
  plan.alignment = options.alignment;
  plan.report = options.report;
  funcs.addPass(kernel::createPlanMemory(plan));
}

void registerClipPipelines() {
  PassPipelineRegistration<TrainOptions>(
      "clip-train",
      "clip-prepare, clip-fuse, then the training function (clip-autodiff "
      "with a remat policy), canonicalized and with its elementwise ops "
      "grouped",
      buildTrainPipeline);
  PassPipelineRegistration<KernelOptions>(
      "clip-kernels",
      "Lower every function to a kernel schedule, choose each buffer's "
      "storage precision, reuse dying buffers in place, and plan the arena",
      buildKernelPipeline);
  PassPipelineRegistration<PrepareOptions>(
      "clip-prepare",
      "Check names, specialize the batch, inline block functions, "
      "canonicalize and CSE",
      buildPreparePipeline);
  PassPipelineRegistration<>(
      "clip-fuse",
      "Inline, then fuse attention, layer norms, the contrastive loss, "
      "patch embeddings as matmuls, GEMM epilogues and elementwise chains (in "
      "that order)",
      buildFusePipeline);
}

} // namespace mlir::clip
