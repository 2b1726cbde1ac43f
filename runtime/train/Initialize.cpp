//===- Initialize.cpp - OpenCLIP's initialization, by parameter name ------===//

#include "runtime/train/Initialize.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>

namespace clip::train {

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool contains(const std::string &s, const char *part) {
  return s.find(part) != std::string::npos;
}

} // namespace

int64_t towerDepth(const std::string &name,
                   const std::vector<std::string> &names) {
  const std::string prefix = name.rfind("visual.", 0) == 0
                                 ? "visual.transformer.resblocks."
                                 : "transformer.resblocks.";
  int64_t depth = 0;
  for (const std::string &other : names) {
    if (other.rfind(prefix, 0) != 0)
      continue;
    depth =
        std::max<int64_t>(depth, std::stoll(other.substr(prefix.size())) + 1);
  }
  return std::max<int64_t>(depth, 1);
}

void initializeParameter(const std::string &name,
                         const std::vector<int64_t> &shape, int64_t layers,
                         float *data, std::mt19937_64 &rng) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  auto fill = [&](float value) { std::fill(data, data + count, value); };
  auto normal = [&](double std) {
    std::normal_distribution<float> dist(0.0f, static_cast<float>(std));
    for (int64_t i = 0; i < count; ++i)
      data[i] = dist(rng);
  };
  const double width = shape.empty() ? 1.0 : static_cast<double>(shape.back());
  if (name == "logit_scale")
    return fill(std::log(1.0f / 0.07f));
  if (name == "logit_bias") // SigLIP's (initializeParameters)
    return fill(-10.0f);
  if (endsWith(name, "running_var"))
    return fill(1.0f);
  if (endsWith(name, "running_mean") || endsWith(name, "bias") ||
      contains(name, "_bias"))
    return fill(0.0f);
  if (shape.size() == 1 && endsWith(name, "weight"))
    return fill(1.0f);
  if (name == "token_embedding.weight")
    return normal(0.02);
  if (name == "positional_embedding")
    return normal(0.01);
  if (name == "visual.class_embedding" || name == "visual.positional_embedding")
    return normal(std::pow(width, -0.5));
  if (shape.size() == 4) {
    // PyTorch's default for convolutions: kaiming_uniform(a=sqrt(5)).
    const double fanIn = static_cast<double>(shape[1] * shape[2] * shape[3]);
    std::uniform_real_distribution<float> dist(
        static_cast<float>(-1.0 / std::sqrt(fanIn)),
        static_cast<float>(1.0 / std::sqrt(fanIn)));
    for (int64_t i = 0; i < count; ++i)
      data[i] = dist(rng);
    return;
  }
  // Linear weights are [out, in]; projections [in, out].
  const double in = shape.size() == 2 ? static_cast<double>(shape[1]) : width;
  if (contains(name, "attn.in_proj_weight") || contains(name, "q_proj") ||
      contains(name, "k_proj") || contains(name, "v_proj"))
    return normal(std::pow(in, -0.5));
  if (contains(name, "attn.out_proj.weight"))
    return normal(std::pow(in, -0.5) * std::pow(2.0 * layers, -0.5));
  if (contains(name, "mlp.c_fc.weight"))
    return normal(std::pow(2.0 * in, -0.5));
  if (contains(name, "mlp.c_proj.weight"))
    return normal(std::pow(static_cast<double>(shape[0]), -0.5) *
                  std::pow(2.0 * layers, -0.5));
  if (name == "text_projection" || name == "visual.proj")
    return normal(std::pow(static_cast<double>(shape[0]), -0.5));
  return normal(0.02);
}

void initializeParameters(runtime::Executor &executor, std::mt19937_64 &rng) {
  const ClipFunctionDesc &fn = executor.function();
  std::vector<std::string> names;
  for (int32_t i = 0; i < fn.numParams; ++i)
    names.push_back(fn.params[i].name);
  // A model with a logit bias is trained with SigLIP's sigmoid loss, whose
  // scale OpenCLIP starts at ln 10 (the bias at -10).
  const bool sigmoid =
      std::find(names.begin(), names.end(), "logit_bias") != names.end();
  for (int32_t i = 0; i < fn.numParams; ++i) {
    const ClipTensorDesc &param = fn.params[i];
    if (param.dtype != CLIP_F32)
      throw runtime::RuntimeError(fmt::format(
          "@{}: parameter `{}` is {}; only f32 parameters can be initialized",
          fn.name, names[i], runtime::dtypeName(param.dtype)));
    if (sigmoid && names[i] == "logit_scale") {
      float *data = static_cast<float *>(executor.param(i));
      std::fill(data, data + runtime::elementCount(param),
                std::log(10.0f));
      continue;
    }
    initializeParameter(
        names[i], std::vector<int64_t>(param.shape, param.shape + param.rank),
        towerDepth(names[i], names), static_cast<float *>(executor.param(i)),
        rng);
  }
}

} // namespace clip::train
