//===- Pipeline.h - The clipc pass pipelines --------------------*- C++ -*-===//
//
// Named pipelines that string the passes together, so that clipc and
// clip-opt (`--clip-prepare=batch-size=8`) run the same thing.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_PIPELINE_PIPELINE_H
#define CLIP_COMPILER_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::clip {

struct PrepareOptions : PassPipelineOptions<PrepareOptions> {
  Option<int64_t> batchSize{*this, "batch-size",
                            llvm::cl::desc("the batch size that replaces `?`"),
                            llvm::cl::init(0)};
};

/// From a model file as written to one flat, static-shaped graph: check
/// names, specialize the batch, inline the block functions, fold and dedupe.
void buildPreparePipeline(OpPassManager &pm, const PrepareOptions &options);

/// The fusion passes in order, on a module: inline the block functions
/// (a no-op after clip-prepare), then attention, layer norm, contrastive
/// loss, GEMM epilogues, elementwise groups, and a final canonicalize + CSE.
void buildFusePipeline(OpPassManager &pm);

struct TrainOptions : PassPipelineOptions<TrainOptions> {
  Option<int64_t> batchSize{*this, "batch-size",
                            llvm::cl::desc("the batch size that replaces `?`"),
                            llvm::cl::init(0)};
  Option<std::string> remat{
      *this, "remat",
      llvm::cl::desc("what the backward recomputes: none, attention, block"),
      llvm::cl::init("none")};
  Option<bool> trainBatchNorm{
      *this, "train-batch-norm",
      llvm::cl::desc("BatchNorm with batch statistics (clip-train-batch-norm)"),
      llvm::cl::init(false)};
  Option<std::string> loss{
      *this, "loss",
      llvm::cl::desc("the training loss: clip (as the model file writes it) "
                     "or siglip (clip-use-sigmoid-loss)"),
      llvm::cl::init("clip")};
  Option<double> imageDropout{
      *this, "image-dropout",
      llvm::cl::desc("dropout rate in the image tower's blocks "
                     "(clip-insert-dropout)"),
      llvm::cl::init(0.0)};
  Option<double> textDropout{
      *this, "text-dropout",
      llvm::cl::desc("dropout rate in the text tower's blocks"),
      llvm::cl::init(0.0)};
  Option<bool> lockImage{
      *this, "lock-image",
      llvm::cl::desc("freeze the image tower (clip-lock-towers)"),
      llvm::cl::init(false)};
  Option<int64_t> lockImageUnlockedGroups{
      *this, "lock-image-unlocked-groups",
      llvm::cl::desc("of a locked image tower, the last groups left "
                     "trainable"),
      llvm::cl::init(0)};
  Option<bool> lockText{
      *this, "lock-text",
      llvm::cl::desc("freeze the text tower (clip-lock-towers)"),
      llvm::cl::init(false)};
  Option<int64_t> lockTextUnlockedGroups{
      *this, "lock-text-unlocked-groups",
      llvm::cl::desc("of a locked text tower, the last groups left trainable"),
      llvm::cl::init(0)};
  Option<bool> distributed{
      *this, "distributed",
      llvm::cl::desc("also split train_step at its loss into train_embed and "
                     "train_backward (clip-split-train-step)"),
      llvm::cl::init(false)};
};

/// clip-prepare, clip-insert-dropout when a rate is set, clip-fuse,
/// clip-lock-towers when a tower is locked,
/// clip-autodiff (forward -> train_step), then
/// canonicalize, CSE and elementwise grouping of the backward's ops; with
/// `distributed`, clip-split-train-step last.
void buildTrainPipeline(OpPassManager &pm, const TrainOptions &options);

struct KernelOptions : PassPipelineOptions<KernelOptions> {
  Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("storage of activations: fp32 or bf16 "
                     "(kernel-mixed-precision)"),
      llvm::cl::init("fp32")};
  Option<int64_t> alignment{*this, "alignment",
                            llvm::cl::desc("arena offsets' alignment, bytes"),
                            llvm::cl::init(256)};
  Option<bool> inPlace{*this, "in-place",
                       llvm::cl::desc("let pointwise kernels overwrite a "
                                      "dying input"),
                       llvm::cl::init(true)};
  Option<bool> report{*this, "report",
                      llvm::cl::desc("print each function's arena"),
                      llvm::cl::init(false)};
};

/// Every function to a planned kernel schedule: convert-clip-to-kernel,
/// kernel-mixed-precision, kernel-reuse-in-place, kernel-plan-memory.
void buildKernelPipeline(OpPassManager &pm, const KernelOptions &options);

/// Registers the pipelines above with the pass registry (clip-opt).
void registerClipPipelines();

} // namespace mlir::clip

#endif // CLIP_COMPILER_PIPELINE_PIPELINE_H
