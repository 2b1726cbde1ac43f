//===- DistributedTrainer.h - Data-parallel training on the CPU -*- C++ -*-===//
//
// One rank of a data-parallel job (docs/distributed.md). Each rank runs the
// library's split training function on its share of the global batch:
//   @train_embed on its pairs; the features of every rank all-gathered;
//   its share of the contrastive loss (its rows of both directions against
//   every column, OpenCLIP's local loss with gather-with-grad) and that
//   share's gradient with respect to every rank's features; the features'
//   gradients reduce-scattered back to their owners; @train_backward from
//   them; the parameters' gradients summed over the ranks in buckets and
//   divided by the rank count.
// The mean of the ranks' shares is the global batch's loss, so every rank
// applies the same AdamW update to the same gradients as one process with
// the whole batch would (the parameters stay replicated). A rank's share
// may be taken in chunks of the library's batch (GradCache): the features
// of every chunk, the loss over all, then each chunk recomputed; in one
// process too, for a batch beyond activation memory.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DIST_DISTRIBUTEDTRAINER_H
#define CLIP_RUNTIME_DIST_DISTRIBUTEDTRAINER_H

#include "runtime/core/Executor.h"
#include "runtime/dist/Communicator.h"
#include "runtime/dist/NcclCommunicator.h"
#include "runtime/gpu/CudaExecutor.h"
#include "runtime/train/Trainer.h"

#include "fmt/format.h"

#include <memory>
#include <utility>
#include <vector>

namespace clip::dist {

/// This rank's share of the contrastive loss over every rank's features,
/// OpenCLIP's ClipLoss(local_loss=True, gather_with_grad=True): its rows of
/// both directions against every rank's columns. `image`, `text` [batch,
/// dim] are this rank's features (before normalization). Writes the
/// gradient of the sum of every rank's share with respect to this rank's
/// features (the all-gather's adjoint: what OpenCLIP's gather leaves in
/// them) and returns this rank's share and the gradient of that share with
/// respect to the log-scale. Collective.
struct LossShare {
  double loss = 0.0, logitScaleGrad = 0.0, logitBiasGrad = 0.0;
};
LossShare gatheredContrastiveLoss(Communicator &comm, int64_t batch,
                                  int64_t dim, const float *image,
                                  const float *text, float logitScale,
                                  float epsilon, float *imageGrad,
                                  float *textGrad);
/// The same for SigLIP's sigmoid loss (OpenCLIP's SigLipLoss, whose
/// neighbour exchange visits the same pairs): this rank's images against
/// every rank's texts, summed over its batch; the bias's gradient too.
LossShare gatheredSigmoidLoss(Communicator &comm, int64_t batch, int64_t dim,
                              const float *image, const float *text,
                              float logitScale, float logitBias,
                              float epsilon, float *imageGrad,
                              float *textGrad);

class DistributedTrainer final : public train::Trainer {
public:
  /// `params` runs nothing: it is the library's @train_step on the CPU,
  /// whose parameters (initialized, loaded, saved and evaluated through it)
  /// the split functions read. Throws when the library was not compiled
  /// with `clipc --distributed`.
  /// `zero` 1 shards the AdamW moments (ZeRO stage 1): each piece of a
  /// tensor has an owner rank (largest first, to the least loaded), which
  /// alone keeps its moments and updates it: the gradients are reduced to
  /// the owners, the updated parameters broadcast from them. 0: every rank
  /// keeps every moment and applies the same update.
  /// `chunks` > 1 takes a rank's share of the batch as that many chunks of
  /// the library's batch (GradCache): every chunk's features first, keeping
  /// none of its activations, then the loss over all of them, then each
  /// chunk again, recomputed, with its rows of the features' gradients.
  /// `device` >= 0 runs both halves on that GPU (CUDA executors), moves
  /// the features, their gradients and the parameters' gradients between
  /// the ranks' GPUs with NCCL (`timeoutSeconds` bounds each wait), and
  /// keeps the update on the host (the parameters uploaded before the
  /// first run after each update); unchunked only for now.
  DistributedTrainer(const runtime::Library &library, runtime::Executor &params,
                     Communicator &comm, const train::AdamWConfig &config,
                     int zero = 0, int64_t chunks = 1,
                     int64_t bucketBytes = 25 << 20, int device = -1,
                     double timeoutSeconds = 0);
  ~DistributedTrainer() override;

  /// This rank's share of a micro-batch: chunks x the library's batch of
  /// images and token rows, copied (the chunks are read twice).
  void setBatch(const float *images, const int64_t *tokens);
  /// One micro-batch: the towers, the loss over every rank's features, the
  /// backward.
  void run() override;
  /// Executor::checkNumerics for both halves of the step.
  void checkNumerics(bool on) {
    embed_->checkNumerics(on);
    backward_->checkNumerics(on);
  }

  /// The global batch's loss (the mean of the ranks' shares).
  float gather(int64_t micro, int64_t accum) override;
  /// Sums the gradients over the ranks, then as HostTrainer.
  void update(double lr, double maxNorm) override;
  double gradNorm() override { return norm_; }
  double logitScale() override;
  /// With zero 1: the whole state, gathered on rank 0 by
  /// prepareCheckpoint() (or read from a checkpoint before
  /// optimizerLoaded() scatters it to the owners).
  train::AdamW &optimizer() override;
  void optimizerLoaded() override;
  void prepareCheckpoint() override;
  void checkpointWritten() override;
  /// Where the halves run: "CPU ..." or "<GPU> with NCCL 2.x (...)".
  std::string deviceName() const {
    return nccl_ ? fmt::format("{} with {}", embed_->deviceName(),
                               nccl_->describe())
                 : embed_->deviceName();
  }
  /// Moment values this rank keeps (both moments).
  int64_t momentValues() const;

private:
  /// The last run's gradient of trained_[t]; null where it is zero.
  const float *gradient(size_t t);
  /// @train_backward on the chunk whose features @train_embed holds, from
  /// these gradients of them.
  void runBackward(const float *imageGrad, const float *textGrad);
  /// run() on GPUs: the exchanges on device memory through NCCL.
  void runOnDevice();
  CUdeviceptr deviceAlloc(int64_t floats, const char *what);

  Communicator &comm_;
  runtime::Executor &params_;
  std::unique_ptr<runtime::Executor> embed_, backward_;
  double epsilon_;
  int64_t batch_ = 0, dim_ = 0, chunks_, bucketBytes_;
  int32_t imageInput_ = -1, textInput_ = -1;
  int64_t imageFloats_ = 0, textTokens_ = 0; ///< a chunk's
  /// With chunks: the share's inputs, features, their gradients, and the
  /// gradients summed over the chunks.
  std::vector<float> images_, features_, featureGrads_;
  std::vector<int64_t> tokens_;
  std::vector<std::vector<float>> chunkGrads_;
  int32_t imageFeatures_ = -1, textFeatures_ = -1;
  int32_t imageGrad_ = -1, textGrad_ = -1, scaleGrad_ = -1, biasGrad_ = -1;
  /// (backward input, embed output) of each saved value.
  std::vector<std::pair<int32_t, int32_t>> saved_;
  std::vector<train::AdamW::Param> trained_;
  std::vector<int64_t> counts_;
  std::vector<int32_t> gradOutputs_; ///< backward output of trained_[t]
  /// On GPUs: the executors as CUDA's, NCCL, the gathered features and
  /// every rank's gradients of them (2 x rows x dim each, image then
  /// text), the backward's bound gradient inputs (2 x batch x dim), the
  /// device memory to free, and each executor parameter's source in
  /// `params` (executor, its index, params' index).
  gpu::CudaExecutor *cudaEmbed_ = nullptr, *cudaBackward_ = nullptr;
  std::unique_ptr<NcclCommunicator> nccl_;
  CUdeviceptr gathered_ = 0, allGrads_ = 0, gradInputs_ = 0;
  std::vector<CUdeviceptr> deviceMemory_;
  std::vector<float> hostGathered_, hostGrads_;
  struct ParamCopy {
    runtime::Executor *executor;
    int32_t index, from;
    int64_t bytes;
  };
  std::vector<ParamCopy> paramCopies_;
  /// The host parameters changed since they were last copied (at the start,
  /// where a checkpoint may be read into them, and after each update; not
  /// between accumulated micro-batches).
  bool paramsChanged_ = true;
  int32_t logitScale_ = -1;          ///< index in trained_
  float *logitScaleValue_ = nullptr;
  /// SigLIP's (a model with a logit_bias): -1 / null for CLIP's.
  int32_t logitBias_ = -1;
  float *logitBiasValue_ = nullptr;
  std::vector<std::vector<float>> sums_;
  int zero_;
  train::AdamWConfig config_;
  /// A slice of a trained tensor and the rank that updates it (with zero 1
  /// tensors are cut into pieces of at most a quarter of a rank's share,
  /// so that one large tensor, the token embedding, does not unbalance the
  /// ranks).
  struct Piece {
    size_t tensor;
    int64_t offset, count;
    int owner;
  };
  std::vector<Piece> pieces_; ///< in tensor order
  std::vector<size_t> owned_; ///< pieces this rank updates, in order
  double loss_ = 0.0;
  float scaleGradient_ = 0.0f; ///< the last run's, of logit_scale
  float biasGradient_ = 0.0f;  ///< and of logit_bias (SigLIP)
  /// The loss over every rank's features (gathered*Loss for this model's).
  LossShare loss(int64_t batch, const float *image, const float *text,
                 float *imageGrad, float *textGrad);
  /// Over owned_ (every tensor without sharding).
  std::unique_ptr<train::AdamW> optimizer_;
  /// With sharding: every tensor's state, while a checkpoint is read or
  /// written.
  std::unique_ptr<train::AdamW> whole_;
  double norm_ = 0.0;
};

} // namespace clip::dist

#endif // CLIP_RUNTIME_DIST_DISTRIBUTEDTRAINER_H
