//===- CudaTrainer.h - The training update on the GPU -----------*- C++ -*-===//
//
// Keeps a CUDA training step's update on the device: the gradients stay in
// the arena (or in device sums over micro-batches), the AdamW moments live
// on the device, and the update is the training unit's own kernels
// (runtime/cuda/Optimizer.cuh: clip_accumulate_gradients, clip_sum_squares,
// clip_global_norm, clip_adamw) plus BatchNorm's statistics copied into
// their parameters, captured once as a CUDA graph and replayed. Per update
// the host sends only the AdamW constants of the step (one small pinned
// copy) and reads back nothing: the loss, the gradient norm and the logit
// scale are read when asked for. The moments come back to the host only for
// a checkpoint. Everything is in a fixed order (no float atomics), so a
// resumed run equals an uninterrupted one bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_GPU_CUDATRAINER_H
#define CLIP_RUNTIME_GPU_CUDATRAINER_H

#include "runtime/gpu/CudaExecutor.h"
#include "runtime/train/Trainer.h"

#include <memory>

namespace clip::gpu {

class CudaTrainer final : public train::Trainer {
public:
  /// Binds `executor`'s training function (which must outlive this).
  CudaTrainer(CudaExecutor &executor, const std::string &where,
              const train::AdamWConfig &config);
  ~CudaTrainer() override;

  void run() override;
  float gather(int64_t micro, int64_t accum) override;
  void update(double lr, double maxNorm) override;
  double gradNorm() override;
  double logitScale() override;
  train::AdamW &optimizer() override;
  void optimizerLoaded() override;

private:
  struct State;
  std::unique_ptr<State> state;
};

} // namespace clip::gpu

#endif // CLIP_RUNTIME_GPU_CUDATRAINER_H
