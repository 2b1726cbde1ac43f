//===- Trainer.h - What a training loop asks of a step, on any device -----===//
//
// clip-run train's loop: run the step on a micro-batch, take its loss and
// gradients, and after the last micro-batch update the parameters (clipping,
// AdamW, the logit scale's clamp, BatchNorm's statistics). HostTrainer does
// it on the host around any executor (TrainStep and AdamW); gpu::CudaTrainer
// keeps gradients, moments and the update on the device and reads back only
// what is asked for. Both keep the optimizer's state in an AdamW object for
// checkpoints, so checkpoints do not depend on the device.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TRAIN_TRAINER_H
#define CLIP_RUNTIME_TRAIN_TRAINER_H

#include "runtime/train/Optimizer.h"
#include "runtime/train/TrainStep.h"

#include <cmath>
#include <memory>

namespace clip::train {

class Trainer {
public:
  virtual ~Trainer() = default;

  /// Runs the step on the micro-batch in its inputs (on a GPU, queues it).
  virtual void run() = 0;
  /// After run() on micro-batch `micro` (0, 1, ...) of `accum`: takes its
  /// gradients and returns its loss.
  virtual float gather(int64_t micro, int64_t accum) = 0;
  /// Clips the gathered gradients to `maxNorm` (0: no clipping), applies
  /// AdamW at rate `lr`, clamps the logit scale, copies BatchNorm's updated
  /// statistics into their parameters.
  virtual void update(double lr, double maxNorm) = 0;
  /// The global norm of the last update's gradients, before clipping.
  virtual double gradNorm() = 0;
  /// exp(logit_scale) now; NAN without one.
  virtual double logitScale() = 0;
  /// The optimizer's state, current (checkpoints write it; with the state
  /// sharded over processes, after prepareCheckpoint()).
  virtual AdamW &optimizer() = 0;
  /// After optimizer() was loaded from a checkpoint.
  virtual void optimizerLoaded() {}
  /// Before and after a checkpoint is written from optimizer(); every
  /// process of a job calls both (collective where the state is sharded).
  virtual void prepareCheckpoint() {}
  virtual void checkpointWritten() {}
};

/// The update on the host, for any executor.
class HostTrainer final : public Trainer {
public:
  HostTrainer(runtime::Executor &executor, const std::string &where,
              const AdamWConfig &config)
      : step_(executor, where), optimizer_(step_.params(), config) {}

  void run() override { step_.executor().run(); }
  float gather(int64_t micro, int64_t accum) override {
    step_.gatherGradients(micro, accum);
    return step_.loss();
  }
  void update(double lr, double maxNorm) override {
    norm_ = step_.clipGradients(maxNorm);
    step_.update(optimizer_, lr);
  }
  double gradNorm() override { return norm_; }
  double logitScale() override { return step_.logitScale(); }
  AdamW &optimizer() override { return optimizer_; }

private:
  TrainStep step_;
  AdamW optimizer_;
  double norm_ = NAN;
};

} // namespace clip::train

#endif // CLIP_RUNTIME_TRAIN_TRAINER_H
