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

void AdamW::step(const std::vector<const float *> &grads, double lr) {
  ++step_;
  const double correction1 = 1.0 - std::pow(config_.beta1, step_);
  const double correction2 = 1.0 - std::pow(config_.beta2, step_);
  const float b1 = static_cast<float>(config_.beta1);
  const float b2 = static_cast<float>(config_.beta2);
  const float stepSize = static_cast<float>(lr / correction1);
  const float rootCorrection2 = static_cast<float>(std::sqrt(correction2));
  const float eps = static_cast<float>(config_.eps);
  for (size_t t = 0; t < params_.size(); ++t) {
    const Param &p = params_[t];
    const float decay =
        p.decay ? static_cast<float>(1.0 - lr * config_.weightDecay) : 1.0f;
    float *x = p.value, *m = m_[t].data(), *v = v_[t].data();
    const float *g = grads[t];
#pragma omp parallel for schedule(static) if (p.count >= 65536)
    for (int64_t i = 0; i < p.count; ++i) {
      x[i] *= decay;
      m[i] = b1 * m[i] + (1.0f - b1) * g[i];
      v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
      x[i] -= stepSize * m[i] / (std::sqrt(v[i]) / rootCorrection2 + eps);
    }
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
