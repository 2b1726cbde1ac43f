//===- DistributedTrainer.cpp - Data-parallel training on the CPU ---------===//

#include "runtime/dist/DistributedTrainer.h"

#include "runtime/cpu/CpuKernels.h"
#include "runtime/train/TrainStep.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace clip::dist {

using runtime::RuntimeError;

namespace {

bool startsWith(const std::string &name, const char *prefix) {
  return name.rfind(prefix, 0) == 0;
}

int32_t outputIndex(const ClipFunctionDesc &fn, const std::string &name) {
  for (int32_t o = 0; o < fn.numOutputs; ++o)
    if (name == fn.outputs[o].name)
      return o;
  return -1;
}

/// The trained parameters of `params` (its @train_step): what AdamW
/// updates, as the single-process trainer builds them.
std::vector<train::AdamW::Param> trainedParams(runtime::Executor &params,
                                               const std::string &where) {
  train::TrainStep binding(params, where);
  return binding.params();
}

} // namespace

DistributedTrainer::DistributedTrainer(const runtime::Library &library,
                                       runtime::Executor &params,
                                       Communicator &comm,
                                       const train::AdamWConfig &config,
                                       int64_t bucketBytes)
    : comm_(comm), params_(params), epsilon_(library.desc().lossEpsilon),
      bucketBytes_(bucketBytes),
      trained_(trainedParams(params, library.path())),
      optimizer_(trained_, config) {
  const std::string &where = library.path();
  auto has = [&](const char *name) {
    for (int32_t f = 0; f < library.desc().numFunctions; ++f)
      if (std::strcmp(library.desc().functions[f].name, name) == 0)
        return true;
    return false;
  };
  if (!has(CLIP_TRAIN_EMBED) || !has(CLIP_TRAIN_BACKWARD) || epsilon_ <= 0)
    throw RuntimeError(fmt::format(
        "{}: has no @{} and @{}, which training on {} ranks needs: compile "
        "it with `clipc --distributed` (--batch is then each rank's share)",
        where, CLIP_TRAIN_EMBED, CLIP_TRAIN_BACKWARD, comm.size()));
  embed_ = std::make_unique<runtime::CpuExecutor>(library, CLIP_TRAIN_EMBED);
  backward_ =
      std::make_unique<runtime::CpuExecutor>(library, CLIP_TRAIN_BACKWARD);
  const ClipFunctionDesc &e = embed_->function(), &b = backward_->function();

  // Both read the parameters where @train_step keeps them.
  for (runtime::Executor *fn : {embed_.get(), backward_.get()})
    for (int32_t i = 0; i < fn->function().numParams; ++i) {
      const int32_t at = params.paramIndex(fn->function().params[i].name);
      if (at < 0)
        throw RuntimeError(fmt::format("{}: @{}'s parameter `{}` is not one "
                                       "of @{}'s",
                                       where, fn->function().name,
                                       fn->function().params[i].name,
                                       params.function().name));
      fn->bindParam(i, params.param(at));
    }

  imageFeatures_ = outputIndex(e, CLIP_IMAGE_FEATURES);
  textFeatures_ = outputIndex(e, CLIP_TEXT_FEATURES);
  if (imageFeatures_ < 0 || textFeatures_ < 0)
    throw RuntimeError(fmt::format("{}: @{} has no outputs `{}` and `{}`",
                                   where, CLIP_TRAIN_EMBED, CLIP_IMAGE_FEATURES,
                                   CLIP_TEXT_FEATURES));
  const ClipTensorDesc &features = e.outputs[imageFeatures_];
  if (features.rank != 2 || features.dtype != CLIP_F32)
    throw RuntimeError(fmt::format("{}: `{}` must be f32 [batch, dim]", where,
                                   CLIP_IMAGE_FEATURES));
  batch_ = features.shape[0];
  dim_ = features.shape[1];

  // The backward's inputs: the loss's gradients (its own storage), the
  // saved values (the embed's outputs), the model's inputs (the embed's).
  for (int32_t i = 0; i < b.numInputs; ++i) {
    const std::string name = b.inputs[i].name;
    if (name == std::string(CLIP_GRAD_PREFIX) + CLIP_IMAGE_FEATURES)
      imageGrad_ = i;
    else if (name == std::string(CLIP_GRAD_PREFIX) + CLIP_TEXT_FEATURES)
      textGrad_ = i;
    else if (name == std::string(CLIP_GRAD_PREFIX) + CLIP_LOGIT_SCALE)
      scaleGrad_ = i;
    else if (startsWith(name, CLIP_SAVED_PREFIX)) {
      const int32_t o = outputIndex(e, name);
      if (o < 0)
        throw RuntimeError(fmt::format("{}: @{} reads `{}`, which @{} does "
                                       "not write",
                                       where, CLIP_TRAIN_BACKWARD, name,
                                       CLIP_TRAIN_EMBED));
      saved_.emplace_back(i, o);
    } else if (const int32_t at = embed_->inputIndex(name); at >= 0) {
      backward_->bindInput(i, embed_->input(at));
    } else {
      throw RuntimeError(fmt::format("{}: @{}'s input `{}` is neither a "
                                     "gradient, a saved value nor an input "
                                     "of @{}",
                                     where, CLIP_TRAIN_BACKWARD, name,
                                     CLIP_TRAIN_EMBED));
    }
  }

  // Each trained parameter's gradient, by name; one that the backward does
  // not produce is zero (it does not reach the loss).
  std::unordered_map<std::string, int32_t> grads;
  for (int32_t o = 0; o < b.numOutputs; ++o)
    if (startsWith(b.outputs[o].name, CLIP_GRAD_PREFIX))
      grads.emplace(b.outputs[o].name + std::strlen(CLIP_GRAD_PREFIX), o);
  for (size_t t = 0; t < trained_.size(); ++t) {
    auto it = grads.find(trained_[t].name);
    gradOutputs_.push_back(it == grads.end() ? -1 : it->second);
    counts_.push_back(trained_[t].count);
    if (trained_[t].name == CLIP_LOGIT_SCALE)
      logitScale_ = static_cast<int32_t>(t);
  }
  if (const int32_t at = params.paramIndex(CLIP_LOGIT_SCALE); at >= 0)
    logitScaleValue_ = static_cast<float *>(params.param(at));
  else
    throw RuntimeError(fmt::format("{}: the model has no `{}`", where,
                                   CLIP_LOGIT_SCALE));
  sums_.resize(trained_.size());
  for (size_t t = 0; t < trained_.size(); ++t)
    sums_[t].assign(static_cast<size_t>(counts_[t]), 0.0f);
}

LossShare gatheredContrastiveLoss(Communicator &comm, int64_t batch,
                                  int64_t dim, const float *image,
                                  const float *text, float logitScale,
                                  float epsilon, float *imageGrad,
                                  float *textGrad) {
  const int64_t local = batch * dim;
  const size_t all = static_cast<size_t>(local * comm.size());
  std::vector<float> allImage(all), allText(all), dImage(all), dText(all);
  comm.allGather(image, allImage.data(), local);
  comm.allGather(text, allText.data(), local);
  LossShare share;
  cpu::contrastiveLossShard(batch * comm.size(), dim, batch * comm.rank(),
                            batch, allImage.data(), allText.data(), logitScale,
                            epsilon, &share.loss, dImage.data(), dText.data(),
                            &share.logitScaleGrad);
  // Each rank's gradient of its share with respect to every rank's
  // features: the owners sum them.
  comm.reduceScatterSum(dImage.data(), imageGrad, local);
  comm.reduceScatterSum(dText.data(), textGrad, local);
  return share;
}

void DistributedTrainer::run() {
  embed_->run();
  const LossShare share = gatheredContrastiveLoss(
      comm_, batch_, dim_,
      static_cast<const float *>(embed_->output(imageFeatures_)),
      static_cast<const float *>(embed_->output(textFeatures_)),
      *logitScaleValue_, static_cast<float>(epsilon_),
      static_cast<float *>(backward_->input(imageGrad_)),
      static_cast<float *>(backward_->input(textGrad_)));
  loss_ = share.loss;
  scaleGradient_ = static_cast<float>(share.logitScaleGrad);
  if (scaleGrad_ >= 0)
    *static_cast<float *>(backward_->input(scaleGrad_)) = scaleGradient_;
  for (auto [input, output] : saved_)
    backward_->bindInput(input, const_cast<void *>(embed_->output(output)));
  backward_->run();
}

const float *DistributedTrainer::gradient(size_t t) {
  if (gradOutputs_[t] >= 0)
    return static_cast<const float *>(backward_->output(gradOutputs_[t]));
  // logit_scale's is the loss's own: no output of the backward.
  if (static_cast<int32_t>(t) == logitScale_)
    return &scaleGradient_;
  return nullptr; // the parameter does not reach the loss
}

float DistributedTrainer::gather(int64_t micro, int64_t accum) {
  for (size_t t = 0; t < trained_.size(); ++t) {
    float *s = sums_[t].data();
    const float *g = gradient(t);
    for (int64_t i = 0; i < counts_[t]; ++i) {
      const float value = !g ? 0.0f : accum == 1 ? g[i] : g[i] / accum;
      s[i] = (micro == 0 ? 0.0f : s[i]) + value;
    }
  }
  double loss = loss_;
  comm_.allReduceSum(&loss, 1);
  return static_cast<float>(loss / comm_.size());
}

void DistributedTrainer::update(double lr, double maxNorm) {
  // The backward's order is the reverse of the parameters'.
  std::vector<std::pair<float *, int64_t>> tensors;
  for (size_t t = trained_.size(); t-- > 0;)
    tensors.emplace_back(sums_[t].data(), counts_[t]);
  comm_.allReduceSum(tensors, bucketBytes_);
  const float inverse = 1.0f / static_cast<float>(comm_.size());
  std::vector<const float *> grads;
  for (size_t t = 0; t < trained_.size(); ++t) {
    if (comm_.size() > 1)
      for (float &g : sums_[t])
        g *= inverse;
    grads.push_back(sums_[t].data());
  }
  norm_ = train::globalNorm(grads, counts_);
  if (maxNorm > 0 && norm_ > maxNorm) {
    const float scale = static_cast<float>(maxNorm / norm_);
    for (auto &s : sums_)
      for (float &g : s)
        g *= scale;
  }
  optimizer_.step(grads, lr);
  if (logitScale_ >= 0) {
    float &value = *trained_[logitScale_].value;
    value = std::clamp(value, 0.0f, std::log(100.0f));
  }
}

double DistributedTrainer::logitScale() {
  return std::exp(static_cast<double>(*logitScaleValue_));
}

} // namespace clip::dist
