//===- TrainStep.h - A compiled @train_step's outputs, by role --*- C++ -*-===//
//
// A training function's outputs are named by role (runtime/abi/ClipLibrary.h):
// the loss is the first rank-0 f32 output, the gradient of parameter P is
// "grad/P", BatchNorm's updated running statistic P is "update/P". TrainStep
// binds them once to an executor's parameters, so that a training loop only
// fills the inputs, runs, gathers the gradients (accumulated over
// micro-batches, clipped) and updates.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TRAIN_TRAINSTEP_H
#define CLIP_RUNTIME_TRAIN_TRAINSTEP_H

#include "runtime/core/Executor.h"
#include "runtime/train/Optimizer.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace clip::train {

/// The outputs of a function by role, as indices into its descriptor.
struct StepOutputs {
  int32_t loss = -1; ///< the first rank-0 f32 output; -1: none
  /// (parameter, output) pairs, in parameter order.
  std::vector<std::pair<int32_t, int32_t>> grads, updates;
};

/// Reads the roles off `fn`'s output names. Never throws: a function that is
/// no training function comes back without loss or gradients.
StepOutputs findStepOutputs(const ClipFunctionDesc &fn);

/// A training function's patch dropout: its CLIP_PATCH_KEEP input, the
/// image's patches (from visual.positional_embedding's rows, less the class
/// token's) and how many each image keeps; input -1 without patch dropout.
struct PatchDropout {
  int32_t input = -1;
  int64_t patches = 0, kept = 0;
};
/// Throws RuntimeError when the input is there but its shape or the
/// positional embedding does not fit.
PatchDropout findPatchDropout(const ClipFunctionDesc &fn);

/// The index of a training function's CLIP_RNG_SEED input (dropout), or -1;
/// throws RuntimeError when it is not a rank-0 i64.
int32_t findRngSeed(const ClipFunctionDesc &fn);
/// The dropout seed of micro-batch `globalBatch` of a run seeded `seed`:
/// a hash of both, below 2^53. A resumed run gives the same batch the same.
int64_t dropoutSeed(uint64_t seed, int64_t globalBatch);

class TrainStep {
public:
  /// Binds the function of `executor` (which must outlive this); `where`
  /// (the clip.so's path) starts every error. Throws when the function has
  /// no loss or no gradient, or when a grad/ or update/ output does not
  /// match its parameter.
  TrainStep(runtime::Executor &executor, const std::string &where);

  runtime::Executor &executor() const { return executor_; }
  const StepOutputs &outputs() const { return outputs_; }
  /// The parameters that have a gradient, in parameter order, pointing at
  /// the executor's storage, with OpenCLIP's weight-decay choice: what
  /// AdamW updates.
  const std::vector<AdamW::Param> &params() const { return params_; }
  /// Element counts of params() (and of their gradients).
  const std::vector<int64_t> &counts() const { return counts_; }
  /// The index of logit_scale in params(); -1 when there is none.
  int32_t logitScaleIndex() const { return logitScale_; }

  /// The loss of the last run.
  float loss();
  /// Takes the last run's gradients as micro-batch `micro` (0, 1, ...) of
  /// `accum`: with one micro-batch gradients() are the outputs themselves
  /// (valid until the next run), else the sum of g / accum.
  void gatherGradients(int64_t micro, int64_t accum);
  const std::vector<const float *> &gradients() const { return grads_; }
  /// The global norm of gradients(); above `maxNorm` (> 0) they are scaled
  /// down to it. Returns the norm before clipping.
  double clipGradients(double maxNorm);
  /// After the gradients are gathered: the optimizer's step with rate `lr`,
  /// OpenCLIP's clamp of logit_scale to [0, ln 100], and BatchNorm's
  /// updated statistics copied into their parameters.
  void update(AdamW &optimizer, double lr);
  /// exp(logit_scale), the temperature the loss uses; NAN without one.
  double logitScale() const;

private:
  /// Storage of the gathered gradient of params()[t] (allocated when first
  /// needed: with one micro-batch and no clipping the outputs serve).
  float *sum(size_t t);

  runtime::Executor &executor_;
  StepOutputs outputs_;
  std::vector<AdamW::Param> params_;
  std::vector<int64_t> counts_;
  int32_t logitScale_ = -1;
  std::vector<std::vector<float>> sums_;
  std::vector<const float *> grads_;
};

} // namespace clip::train

#endif // CLIP_RUNTIME_TRAIN_TRAINSTEP_H
