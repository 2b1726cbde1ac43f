//===- TrainStep.cpp - A compiled @train_step's outputs, by role ----------===//

#include "runtime/train/TrainStep.h"

#include "runtime/data/Sample.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace clip::train {

using runtime::RuntimeError;

namespace {

bool startsWith(const char *name, const char *prefix) {
  return std::strncmp(name, prefix, std::strlen(prefix)) == 0;
}

bool sameType(const ClipTensorDesc &a, const ClipTensorDesc &b) {
  return a.dtype == b.dtype && a.rank == b.rank &&
         std::equal(a.shape, a.shape + a.rank, b.shape);
}

std::string typeString(const ClipTensorDesc &t) {
  return fmt::format("{} {}", runtime::dtypeName(t.dtype),
                     runtime::shapeString(t));
}

} // namespace

StepOutputs findStepOutputs(const ClipFunctionDesc &fn) {
  StepOutputs found;
  std::unordered_map<std::string, int32_t> byName;
  for (int32_t o = 0; o < fn.numOutputs; ++o) {
    const ClipTensorDesc &out = fn.outputs[o];
    byName.emplace(out.name, o);
    // A scalar parameter's gradient (grad/logit_scale) is rank-0 f32 too.
    if (found.loss < 0 && out.rank == 0 && out.dtype == CLIP_F32 &&
        !startsWith(out.name, CLIP_GRAD_PREFIX) &&
        !startsWith(out.name, CLIP_UPDATE_PREFIX))
      found.loss = o;
  }
  for (int32_t i = 0; i < fn.numParams; ++i) {
    const std::string name = fn.params[i].name;
    if (auto it = byName.find(CLIP_GRAD_PREFIX + name); it != byName.end())
      found.grads.emplace_back(i, it->second);
    if (auto it = byName.find(CLIP_UPDATE_PREFIX + name); it != byName.end())
      found.updates.emplace_back(i, it->second);
  }
  return found;
}

PatchDropout findPatchDropout(const ClipFunctionDesc &fn) {
  PatchDropout found;
  for (int32_t i = 0; i < fn.numInputs; ++i)
    if (std::string(fn.inputs[i].name) == CLIP_PATCH_KEEP)
      found.input = i;
  if (found.input < 0)
    return found;
  const ClipTensorDesc &keep = fn.inputs[found.input];
  for (int32_t i = 0; i < fn.numParams; ++i)
    if (std::string(fn.params[i].name) == "visual.positional_embedding" &&
        fn.params[i].rank == 2)
      found.patches = fn.params[i].shape[0] - 1;
  if (keep.rank != 2 || keep.dtype != CLIP_I64 || found.patches <= 0 ||
      keep.shape[1] > found.patches)
    throw RuntimeError(fmt::format(
        "@{}: input `{}` must be i64 [batch, kept] with kept at most the "
        "image's patches ({}), and the model needs a "
        "visual.positional_embedding",
        fn.name, CLIP_PATCH_KEEP, found.patches));
  found.kept = keep.shape[1];
  return found;
}

int32_t findRngSeed(const ClipFunctionDesc &fn) {
  for (int32_t i = 0; i < fn.numInputs; ++i)
    if (std::string(fn.inputs[i].name) == CLIP_RNG_SEED) {
      if (fn.inputs[i].rank != 0 || fn.inputs[i].dtype != CLIP_I64)
        throw RuntimeError(fmt::format("@{}: input `{}` must be a rank-0 i64",
                                       fn.name, CLIP_RNG_SEED));
      return i;
    }
  return -1;
}

int64_t dropoutSeed(uint64_t seed, int64_t globalBatch) {
  // splitmix64 twice: a batch's seed shares nothing visible with the next.
  return static_cast<int64_t>(
      data::splitMix(data::splitMix(seed) ^ static_cast<uint64_t>(globalBatch)) >>
      11);
}

TrainStep::TrainStep(runtime::Executor &executor, const std::string &where)
    : executor_(executor), outputs_(findStepOutputs(executor.function())) {
  const ClipFunctionDesc &fn = executor.function();
  auto fail = [&](const std::string &what) {
    return RuntimeError(fmt::format("{}: @{} {}", where, fn.name, what));
  };
  if (outputs_.loss < 0)
    throw fail("has no loss (a rank-0 f32 output): it is not a training "
               "function");
  if (outputs_.grads.empty())
    throw fail(fmt::format("has no gradients (no output `{}<parameter>` for "
                           "any of its {} parameters)",
                           CLIP_GRAD_PREFIX, fn.numParams));
  // The loop reads and copies these outputs by their parameters' sizes, so a
  // mismatch would read past them; it can only be a broken clip.so.
  std::vector<bool> paired(fn.numOutputs, false);
  for (const auto *pairs : {&outputs_.grads, &outputs_.updates})
    for (auto [param, output] : *pairs) {
      paired[output] = true;
      const ClipTensorDesc &p = fn.params[param], &o = fn.outputs[output];
      if (!sameType(p, o) || p.dtype != CLIP_F32)
        throw fail(fmt::format("output `{}` is {}, but parameter `{}` is {} "
                               "(both must be the same f32 shape)",
                               o.name, typeString(o), p.name, typeString(p)));
    }
  for (int32_t o = 0; o < fn.numOutputs; ++o)
    if (!paired[o] && (startsWith(fn.outputs[o].name, CLIP_GRAD_PREFIX) ||
                       startsWith(fn.outputs[o].name, CLIP_UPDATE_PREFIX)))
      throw fail(
          fmt::format("output `{}` matches no parameter", fn.outputs[o].name));

  for (auto [param, output] : outputs_.grads) {
    const ClipTensorDesc &p = fn.params[param];
    params_.push_back({p.name, static_cast<float *>(executor.param(param)),
                       runtime::elementCount(p), decays(p.name, p.rank)});
    counts_.push_back(params_.back().count);
    if (params_.back().name == "logit_scale")
      logitScale_ = static_cast<int32_t>(params_.size() - 1);
  }
  sums_.resize(params_.size());
  grads_.resize(params_.size());
}

float TrainStep::loss() {
  return *static_cast<const float *>(executor_.output(outputs_.loss));
}

float *TrainStep::sum(size_t t) {
  if (sums_[t].empty())
    sums_[t].resize(counts_[t]);
  return sums_[t].data();
}

void TrainStep::gatherGradients(int64_t micro, int64_t accum) {
  for (size_t t = 0; t < params_.size(); ++t) {
    const auto *g =
        static_cast<const float *>(executor_.output(outputs_.grads[t].second));
    if (accum == 1) {
      grads_[t] = g;
      continue;
    }
    float *s = sum(t);
    for (int64_t i = 0; i < counts_[t]; ++i)
      s[i] = (micro == 0 ? 0.0f : s[i]) + g[i] / accum;
    grads_[t] = s;
  }
}

double TrainStep::clipGradients(double maxNorm) {
  const double norm = globalNorm(grads_, counts_);
  if (maxNorm > 0 && norm > maxNorm) {
    const float scale = static_cast<float>(maxNorm / norm);
    for (size_t t = 0; t < params_.size(); ++t) {
      float *s = sum(t);
      for (int64_t i = 0; i < counts_[t]; ++i)
        s[i] = grads_[t][i] * scale;
      grads_[t] = s;
    }
  }
  return norm;
}

void TrainStep::update(AdamW &optimizer, double lr) {
  optimizer.step(grads_, lr);
  if (logitScale_ >= 0) {
    float &value = *params_[logitScale_].value;
    value = std::clamp(value, 0.0f, std::log(100.0f));
  }
  // The optimizer wrote through pointers taken once: tell the executor
  // (a device executor uploads what the host wrote).
  for (auto [param, output] : outputs_.grads)
    executor_.param(param);
  const ClipFunctionDesc &fn = executor_.function();
  for (auto [param, output] : outputs_.updates)
    std::memcpy(executor_.param(param), executor_.output(output),
                runtime::byteSize(fn.params[param]));
}

double TrainStep::logitScale() const {
  return logitScale_ >= 0 ? std::exp(*params_[logitScale_].value) : NAN;
}

} // namespace clip::train
