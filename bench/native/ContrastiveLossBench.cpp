//===- ContrastiveLossBench.cpp - The CPU contrastive loss at large batch -===//
//
// clip::cpu::contrastiveLoss + contrastiveLossGrad (the tiled kernels) on
// random embeddings [n, d]: prints one JSON line with the forward and
// backward times and the peak memory beyond the embeddings and gradients
// (resident-set high-water mark, reset after they are allocated).
// bench/cpu_contrastive_loss.py runs it beside PyTorch.
// Usage: clip-bench-contrastive-loss N D [REPEATS]
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/CpuKernels.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

/// VmHWM of this process in bytes.
long long peakResident() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stoll(line.substr(6)) * 1024;
  return -1;
}

/// Resets VmHWM to the current resident set (Linux 4.0+).
bool resetPeak() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear);
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: {} N D [REPEATS]\n", argv[0]);
    return 2;
  }
  const int64_t n = std::atoll(argv[1]), d = std::atoll(argv[2]);
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 1;
  if (n <= 0 || d <= 0 || repeats <= 0) {
    fmt::print(stderr, "N, D and REPEATS must be positive\n");
    return 2;
  }
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> image(n * d), text(n * d), dimage(n * d), dtext(n * d);
  for (float &x : image)
    x = normal(rng);
  for (int64_t i = 0; i < n * d; ++i)
    text[i] = image[i] + normal(rng);
  std::vector<float> imageNorm(n), textNorm(n), imageLse(n), textLse(n);
  const float logitScale = std::log(1.0f / 0.07f), grad = 1.0f;
  float loss = 0, dscale = 0;
  std::fill(dimage.begin(), dimage.end(), 0.0f);
  std::fill(dtext.begin(), dtext.end(), 0.0f);
  const bool reset = resetPeak();
  const long long base = peakResident();
  double forward = 1e30, backward = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    clip::cpu::contrastiveLoss(n, d, image.data(), text.data(), &logitScale,
                               1e-12f, &loss, imageNorm.data(), textNorm.data(),
                               imageLse.data(), textLse.data());
    forward = std::min(forward, seconds(start));
    start = std::chrono::steady_clock::now();
    clip::cpu::contrastiveLossGrad(
        n, d, &grad, image.data(), text.data(), &logitScale, imageNorm.data(),
        textNorm.data(), imageLse.data(), textLse.data(), 1e-12f, dimage.data(),
        dtext.data(), &dscale);
    backward = std::min(backward, seconds(start));
  }
  const double extra = reset ? (peakResident() - base) / double(1 << 20) : -1;
  fmt::print("{{\"n\": {}, \"d\": {}, \"loss\": {:.6f}, \"dlogit_scale\": "
             "{:.6f}, \"forward_ms\": {:.1f}, \"backward_ms\": {:.1f}, "
             "\"extra_peak_mib\": {:.1f}}}\n",
             n, d, loss, dscale, forward * 1e3, backward * 1e3, extra);
  return std::isfinite(loss) ? 0 : 1;
}
