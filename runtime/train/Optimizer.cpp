//===- Optimizer.cpp - AdamW with OpenCLIP's defaults and exclusions ------===//

#include "runtime/train/Optimizer.h"

#include "fmt/format.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace clip::train {

bool decays(const std::string &name, int64_t rank) {
  auto has = [&](const char *part) {
    return name.find(part) != std::string::npos;
  };
  return rank >= 2 && !has("bn") && !has("ln") && !has("bias") &&
         !has("embedding") && !has("logit_scale");
}

AdamW::AdamW(std::vector<Param> params, AdamWConfig config)
    : params_(std::move(params)), config_(config) {
  for (const Param &p : params_) {
    m_.emplace_back(p.count, 0.0f);
    v_.emplace_back(p.count, 0.0f);
  }
}

scalar::AdamWStep adamwConstants(const AdamWConfig &config, int64_t step,
                                 double lr, bool decay) {
  scalar::AdamWStep s;
  s.decay = decay ? static_cast<float>(1.0 - lr * config.weightDecay) : 1.0f;
  s.beta1 = static_cast<float>(config.beta1);
  s.beta2 = static_cast<float>(config.beta2);
  s.oneMinusBeta1 = 1.0f - s.beta1;
  s.oneMinusBeta2 = 1.0f - s.beta2;
  s.stepSize =
      static_cast<float>(lr / (1.0 - std::pow(config.beta1, double(step))));
  s.rootCorrection2 =
      static_cast<float>(std::sqrt(1.0 - std::pow(config.beta2, double(step))));
  s.eps = static_cast<float>(config.eps);
  return s;
}

void AdamW::step(const std::vector<const float *> &grads, double lr) {
  ++step_;
  for (size_t t = 0; t < params_.size(); ++t) {
    const Param &p = params_[t];
    const scalar::AdamWStep s = adamwConstants(config_, step_, lr, p.decay);
    float *x = p.value, *m = m_[t].data(), *v = v_[t].data();
    const float *g = grads[t];
#pragma omp parallel for schedule(static) if (p.count >= 65536)
    for (int64_t i = 0; i < p.count; ++i)
      scalar::adamwUpdate(x[i], m[i], v[i], g[i], s);
  }
}

void AdamW::save(io::SafetensorsWriter &writer) const {
  for (size_t t = 0; t < params_.size(); ++t) {
    for (auto [kind, data] :
         {std::pair{"exp_avg", &m_[t]}, std::pair{"exp_avg_sq", &v_[t]}}) {
      std::vector<uint8_t> bytes(data->size() * sizeof(float));
      std::memcpy(bytes.data(), data->data(), bytes.size());
      writer.add(fmt::format("optimizer/{}/{}", kind, params_[t].name),
                 io::DType::F32, {params_[t].count}, std::move(bytes));
    }
  }
  writer.setMetadata("optimizer/step", std::to_string(step_));
}

void AdamW::load(const io::SafetensorsFile &file) {
  for (size_t t = 0; t < params_.size(); ++t) {
    for (auto [kind, data] :
         {std::pair{"exp_avg", &m_[t]}, std::pair{"exp_avg_sq", &v_[t]}}) {
      const std::string key =
          fmt::format("optimizer/{}/{}", kind, params_[t].name);
      const io::TensorView *view = file.find(key);
      if (!view || view->dtype != io::DType::F32 ||
          view->numel() != params_[t].count)
        throw std::runtime_error(
            fmt::format("{}: optimizer state `{}` is {}", file.origin(), key,
                        view ? "of the wrong size or type" : "missing"));
      std::memcpy(data->data(), view->data, view->byteSize);
    }
  }
  auto it = file.metadata().find("optimizer/step");
  if (it == file.metadata().end())
    throw std::runtime_error(
        fmt::format("{}: no optimizer/step in the metadata", file.origin()));
  step_ = std::stoll(it->second);
}

double globalNorm(const std::vector<const float *> &grads,
                  const std::vector<int64_t> &counts) {
  double sum = 0;
  for (size_t t = 0; t < grads.size(); ++t)
    for (int64_t i = 0; i < counts[t]; ++i)
      sum += static_cast<double>(grads[t][i]) * grads[t][i];
  return std::sqrt(sum);
}

double cosineLr(double base, int64_t warmup, int64_t total, int64_t step) {
  if (step < warmup)
    return base * (step + 1) / warmup;
  const double progress =
      total > warmup ? double(step - warmup) / double(total - warmup) : 1.0;
  return 0.5 * (1.0 + std::cos(M_PI * std::min(progress, 1.0))) * base;
}

} // namespace clip::train
