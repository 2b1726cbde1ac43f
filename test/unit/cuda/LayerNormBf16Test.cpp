//===- LayerNormBf16Test.cpp - runtime/cuda/LayerNormBf16.cuh, emulated ---===//
//
// The warp-per-row LayerNorm, with and without the residual, and its
// gradient (input, then the two-stage parameter sums), against
// clip::cpu::layerNorm(Grad) (f32, double statistics) on the same bf16
// inputs: rows of 768 (ViT-B/16's width, three vectors a lane), 512, 64
// (most lanes idle) and 520 (a ragged last vector round), row counts that
// leave the last block or chunk partial, several blocks in a shuffled order.
//
// Bounds: outputs are rounded to bf16 once (2^-9 relative) on top of f32
// statistics (about 1e-6 relative against double): |got - want| <=
// 2^-8 |want| + 1e-5 per element; mean and rstd 1e-5 relative; dx relative
// L2 4e-3 (measured 1.7e-3, the rounding of the output); dweight and
// dbias are f32 sums of 64 rows added in double: 1e-5 relative to the
// column's sum of magnitudes (measured 1.1e-7 to 1.7e-7).
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cpu/CpuKernels.h"
#include "runtime/cuda/LayerNormBf16.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace clip::test;

namespace {

std::vector<clip::bf16> randomBf16(i64 n, std::mt19937 &rng, float shift) {
  std::normal_distribution<float> dist(shift, 1.0f);
  std::vector<clip::bf16> v(static_cast<size_t>(n));
  for (auto &x : v)
    x = dist(rng);
  return v;
}

template <int V> void checkForward(i64 rows, i64 cols, bool residual) {
  std::mt19937 rng(static_cast<unsigned>(rows * 7 + cols + residual));
  const auto x = randomBf16(rows * cols, rng, 0.5f),
             res = randomBf16(rows * cols, rng, -0.2f);
  std::vector<float> weight(cols), bias(cols);
  std::normal_distribution<float> dist(1.0f, 0.3f);
  for (i64 c = 0; c < cols; ++c) {
    weight[c] = dist(rng);
    bias[c] = dist(rng) - 1.0f;
  }
  const std::vector<float> xf = widen(x), rf = widen(res);
  std::vector<float> wantOut(rows * cols), wantStream(rows * cols),
      wantMean(rows), wantRstd(rows);
  cpu::layerNorm(rows, cols, xf.data(), residual ? rf.data() : nullptr,
                 residual ? wantStream.data() : nullptr, weight.data(),
                 bias.data(), 1e-5f, wantOut.data(), wantMean.data(),
                 wantRstd.data());
  std::vector<clip::bf16> out(rows * cols, clip::bf16(kNan)),
      stream(rows * cols, clip::bf16(kNan));
  std::vector<float> mean = poisoned(rows), rstd = poisoned(rows);
  launch(3, cu::kRowThreads, [&] {
    cu::layerNormForwardBf16<V>(
        rows, cols, x.data(), residual ? res.data() : nullptr,
        residual ? stream.data() : nullptr, weight.data(), bias.data(), 1e-5f,
        out.data(), mean.data(), rstd.data());
  });
  int bad = 0;
  for (i64 i = 0; i < rows * cols; ++i) {
    const double got = static_cast<float>(out[i]), want = wantOut[i];
    bad += !(std::abs(got - want) <= std::ldexp(std::abs(want), -8) + 1e-5);
    if (residual) {
      const double s = static_cast<float>(stream[i]), ws = wantStream[i];
      bad += !(std::abs(s - ws) <= std::ldexp(std::abs(ws), -8));
    }
  }
  for (i64 r = 0; r < rows; ++r) {
    bad += !(std::abs(mean[r] - wantMean[r]) <=
             1e-5 * std::max(1.0f, std::abs(wantMean[r])));
    bad += !(std::abs(rstd[r] - wantRstd[r]) <= 1e-5 * wantRstd[r]);
  }
  EXPECT_EQ(bad, 0) << "rows " << rows << " cols " << cols << " residual "
                    << residual;
}

TEST(CudaKernelsLayerNormBf16, Forward) {
  checkForward<3>(37, 768, false);
  checkForward<3>(37, 768, true);
  checkForward<2>(9, 512, true);
  checkForward<1>(5, 64, false);
  checkForward<3>(6, 520, true);
}

template <int V> void checkBackward(i64 rows, i64 cols) {
  std::mt19937 rng(static_cast<unsigned>(rows * 3 + cols));
  const auto x = randomBf16(rows * cols, rng, 0.3f),
             grad = randomBf16(rows * cols, rng, 0.0f);
  std::vector<float> weight(cols), bias(cols, 0.0f);
  std::normal_distribution<float> dist(1.0f, 0.3f);
  for (float &w : weight)
    w = dist(rng);
  const std::vector<float> xf = widen(x), gf = widen(grad);
  std::vector<float> out(rows * cols), mean(rows), rstd(rows);
  cpu::layerNorm(rows, cols, xf.data(), nullptr, nullptr, weight.data(),
                 bias.data(), 1e-5f, out.data(), mean.data(), rstd.data());
  std::vector<float> wantDx(rows * cols), wantDw(cols), wantDb(cols);
  cpu::layerNormGrad(rows, cols, gf.data(), xf.data(), mean.data(), rstd.data(),
                     weight.data(), wantDx.data(), wantDw.data(),
                     wantDb.data());
  std::vector<clip::bf16> dx(rows * cols, clip::bf16(kNan));
  const i64 chunks = (rows + cu::kParamRows - 1) / cu::kParamRows;
  std::vector<float> partial = poisoned(chunks * 2 * cols), dw = poisoned(cols),
                     db = poisoned(cols);
  launch(3, cu::kRowThreads, [&] {
    cu::layerNormGradInputBf16<V>(rows, cols, grad.data(), x.data(),
                                  mean.data(), rstd.data(), weight.data(),
                                  dx.data());
  });
  launch(2, cu::kRowThreads, [&] {
    cu::layerNormGradParamsPartialBf16(rows, cols, grad.data(), x.data(),
                                       mean.data(), rstd.data(),
                                       partial.data());
  });
  launch(2, cu::kBlock, [&] {
    cu::layerNormGradParamsSum(chunks, cols, partial.data(), dw.data(),
                               db.data());
  });
  const double dxErr = relL2(dx, wantDx);
  // Per column, against the sum of the terms' magnitudes.
  double paramErr = 0;
  for (i64 c = 0; c < cols; ++c) {
    double scaleW = 0, scaleB = 0;
    for (i64 r = 0; r < rows; ++r) {
      const double g = gf[r * cols + c];
      scaleW += std::abs(g * (xf[r * cols + c] - mean[r]) * rstd[r]);
      scaleB += std::abs(g);
    }
    paramErr = std::max({paramErr, std::abs(dw[c] - wantDw[c]) / scaleW,
                         std::abs(db[c] - wantDb[c]) / scaleB});
  }
  std::printf("  layer norm bf16 backward rows %lld cols %lld: dx %.2e, "
              "params %.2e\n",
              rows, cols, dxErr, paramErr);
  EXPECT_LE(dxErr, 4e-3) << "rows " << rows << " cols " << cols;
  EXPECT_LE(paramErr, 1e-5) << "rows " << rows << " cols " << cols;
}

TEST(CudaKernelsLayerNormBf16, Backward) {
  checkBackward<3>(150, 768); // three parameter chunks, the last of 22
  checkBackward<1>(7, 64);
  checkBackward<3>(70, 520);
}

} // namespace
