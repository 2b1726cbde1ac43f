//===- OptimizerTest.cpp - runtime/cuda/Optimizer.cuh, emulated -----------===//
//
// The device's training update against the host's (runtime/train): three
// steps of two accumulated micro-batches each, with the global norm clipped,
// decayed and excluded tensors and the logit scale's clamp. Parameters and
// moments must equal the host's bit for bit; the norm, summed in double in
// another (fixed) order, to 1e-12 relative (the host's sequential sum over
// 70,000 elements is itself only good to ~n * 2^-53 = 1e-11 in the worst
// case; measured 4e-14 apart), and the clipping factor, rounded to f32, to
// the bit.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/Optimizer.cuh"
#include "runtime/train/Optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace clip::test;

namespace {

struct Tensor {
  std::string name;
  int64_t rank, count;
};

TEST(CudaKernelsOptimizer, EqualsTheHostAdamWBitForBit) {
  // A weight (decays), a bias, a weight larger than one chunk, the logit
  // scale (started near its clamp so that the clamp acts).
  const std::vector<Tensor> tensors = {{"visual.proj", 2, 3 * 37},
                                       {"ln_final.bias", 1, 29},
                                       {"transformer.w", 2, 70001},
                                       {"logit_scale", 0, 1}};
  const size_t n = tensors.size();
  const int64_t accum = 2, steps = 3;
  const double maxNorm = 0.5, lr = 2e-3;
  clip::train::AdamWConfig config;
  config.weightDecay = 0.1;

  // The same initial parameters on both sides.
  std::vector<std::vector<float>> host(n), device(n), m(n), v(n), sums(n);
  for (size_t t = 0; t < n; ++t) {
    host[t] = random(tensors[t].count, 10 + t);
    if (tensors[t].name == "logit_scale")
      host[t][0] = std::log(100.0f) - 1e-4f;
    device[t] = host[t];
    m[t].assign(tensors[t].count, 0.0f);
    v[t].assign(tensors[t].count, 0.0f);
    sums[t].assign(tensors[t].count, kNan); // written before read
  }
  std::vector<clip::train::AdamW::Param> params;
  for (size_t t = 0; t < n; ++t)
    params.push_back({tensors[t].name, host[t].data(), tensors[t].count,
                      clip::train::decays(tensors[t].name, tensors[t].rank)});
  clip::train::AdamW optimizer(params, config);

  // Chunks of every tensor.
  std::vector<i64> chunkTensor, chunkBegin, chunkEnd;
  for (size_t t = 0; t < n; ++t)
    for (i64 b = 0; b < tensors[t].count; b += cu::kOptimizerChunk) {
      chunkTensor.push_back(t);
      chunkBegin.push_back(b);
      chunkEnd.push_back(
          std::min<i64>(b + cu::kOptimizerChunk, tensors[t].count));
    }
  const cu::TensorChunks chunks{static_cast<i64>(chunkTensor.size()),
                                chunkTensor.data(), chunkBegin.data(),
                                chunkEnd.data()};
  std::vector<float *> values(n), sumPtrs(n), mPtrs(n), vPtrs(n);
  std::vector<const float *> sumConst(n);
  for (size_t t = 0; t < n; ++t) {
    values[t] = device[t].data();
    sumPtrs[t] = sums[t].data();
    sumConst[t] = sums[t].data();
    mPtrs[t] = m[t].data();
    vPtrs[t] = v[t].data();
  }
  const Launch l{3, 32};

  for (int64_t step = 1; step <= steps; ++step) {
    // Two micro-batches of gradients, large enough for clipping to act.
    std::vector<std::vector<std::vector<float>>> micro(accum);
    for (int64_t a = 0; a < accum; ++a)
      for (size_t t = 0; t < n; ++t)
        micro[a].push_back(random(tensors[t].count, 100 * step + 10 * a + t));

    // Host: TrainStep's accumulation and clipping, then AdamW and clamp.
    std::vector<std::vector<float>> hostSums(n);
    std::vector<const float *> grads(n);
    for (size_t t = 0; t < n; ++t) {
      hostSums[t].resize(tensors[t].count);
      for (int64_t a = 0; a < accum; ++a)
        for (int64_t i = 0; i < tensors[t].count; ++i)
          hostSums[t][i] = (a == 0 ? 0.0f : hostSums[t][i]) +
                           micro[a][t][i] / static_cast<float>(accum);
      grads[t] = hostSums[t].data();
    }
    std::vector<int64_t> counts;
    for (const Tensor &t : tensors)
      counts.push_back(t.count);
    const double hostNorm = clip::train::globalNorm(grads, counts);
    ASSERT_GT(hostNorm, maxNorm) << "clipping must act in this test";
    const float factor = static_cast<float>(maxNorm / hostNorm);
    for (size_t t = 0; t < n; ++t)
      for (float &g : hostSums[t])
        g *= factor;
    optimizer.step(grads, lr);
    float &scale = host[n - 1][0];
    scale = std::clamp(scale, 0.0f, std::log(100.0f));

    // Device.
    for (int64_t a = 0; a < accum; ++a) {
      std::vector<const float *> g(n);
      for (size_t t = 0; t < n; ++t)
        g[t] = micro[a][t].data();
      launch(l.grid, l.block, [&] {
        cu::accumulateGradients(chunks, g.data(), sumPtrs.data(), a, accum);
      });
    }
    std::vector<double> partial(chunks.count, std::nan("")), norm(2);
    launch(l.grid, l.block,
           [&] { cu::sumSquares(chunks, sumConst.data(), partial.data()); });
    launch(1, l.block, [&] {
      cu::globalNorm(chunks.count, partial.data(), maxNorm, norm.data());
    });
    EXPECT_NEAR(norm[0], hostNorm, 1e-12 * hostNorm) << "step " << step;
    EXPECT_EQ(static_cast<float>(norm[1]), factor) << "step " << step;
    std::vector<clip::scalar::AdamWStep> constants;
    for (const auto &p : params)
      constants.push_back(
          clip::train::adamwConstants(config, step, lr, p.decay));
    launch(l.grid, l.block, [&] {
      cu::adamw(chunks, values.data(), sumConst.data(), mPtrs.data(),
                vPtrs.data(), constants.data(), norm.data(),
                static_cast<i64>(n - 1), std::log(100.0f));
    });

    for (size_t t = 0; t < n; ++t)
      ASSERT_EQ(std::memcmp(device[t].data(), host[t].data(),
                            host[t].size() * sizeof(float)),
                0)
          << tensors[t].name << " differs from the host after step " << step;
  }
  // The clamp acted on the logit scale.
  EXPECT_LE(host[n - 1][0], std::log(100.0f));
}

} // namespace
