//===- Optimizer.h - AdamW with OpenCLIP's defaults and exclusions --------===//
//
// PyTorch's AdamW (decoupled weight decay, bias-corrected moments, eps added
// to the corrected second moment's root), applied on the host to f32
// parameters in place. Defaults are OpenCLIP's (lr 5e-4, betas 0.9/0.98, eps
// 1e-6, weight decay 0.2). Parameters that take no weight decay: gains and
// biases (every tensor of rank < 2), normalization parameters, embeddings
// and logit_scale (the list; OpenCLIP itself decays the rank-2
// positional and token embeddings).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TRAIN_OPTIMIZER_H
#define CLIP_RUNTIME_TRAIN_OPTIMIZER_H

#include "runtime/io/Safetensors.h"
#include "runtime/kernels/ScalarMath.h"

#include <cstdint>
#include <string>
#include <vector>

namespace clip::train {

struct AdamWConfig {
  double lr = 5e-4, beta1 = 0.9, beta2 = 0.98, eps = 1e-6, weightDecay = 0.2;
};

/// Whether OpenCLIP's recipe (as the issue states it) decays `name`.
bool decays(const std::string &name, int64_t rank);

class AdamW {
public:
  struct Param {
    std::string name;
    float *value = nullptr;
    int64_t count = 0;
    bool decay = true;
  };
  AdamW(std::vector<Param> params, AdamWConfig config);

  /// One update with learning rate `lr`: grads[i] matches params[i].
  void step(const std::vector<const float *> &grads, double lr);
  int64_t steps() const { return step_; }
  const std::vector<Param> &params() const { return params_; }

  /// Moments as "optimizer/exp_avg/<name>", "optimizer/exp_avg_sq/<name>"
  /// and the step count in metadata "optimizer/step".
  void save(io::SafetensorsWriter &writer) const;
  /// Restores what save() wrote; throws naming a missing or mis-sized key.
  void load(const io::SafetensorsFile &file);

  /// The moments of params()[t] and the step count, for an optimizer that
  /// runs elsewhere (the device's) and keeps its state here for
  /// checkpoints.
  std::vector<float> &expAvg(size_t t) { return m_[t]; }
  std::vector<float> &expAvgSq(size_t t) { return v_[t]; }
  void setSteps(int64_t steps) { step_ = steps; }

private:
  std::vector<Param> params_;
  AdamWConfig config_;
  std::vector<std::vector<float>> m_, v_;
  int64_t step_ = 0;
};

/// The f32 constants of step `step` (1-based) at learning rate `lr`, for a
/// tensor that decays or not: what AdamW::step and the device's AdamW
/// kernel (runtime/cuda/Optimizer.cuh) both apply.
scalar::AdamWStep adamwConstants(const AdamWConfig &config, int64_t step,
                                 double lr, bool decay);

/// sqrt(sum of squares) over every gradient (in double).
double globalNorm(const std::vector<const float *> &grads,
                  const std::vector<int64_t> &counts);

/// OpenCLIP's cosine schedule: linear warmup to `base` over `warmup`
/// steps, then half a cosine down to 0 at `total`.
double cosineLr(double base, int64_t warmup, int64_t total, int64_t step);

} // namespace clip::train

#endif // CLIP_RUNTIME_TRAIN_OPTIMIZER_H
