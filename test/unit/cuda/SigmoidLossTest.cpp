//===- SigmoidLossTest.cpp - cuda/SigmoidLoss.cuh, emulated ---------------===//
//
// SigLIP's sigmoid loss, forward and backward, against the CPU kernels
// (themselves checked against the f64 reference in CpuKernelsTest).
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/SigmoidLoss.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace clip::test;

namespace {

struct SigmoidCase {
  i64 n, d;
  bool zeroRow; // image row 1 all zeros: its norm is clamped to epsilon
  float logitScale, logitBias;
};

std::vector<SigmoidCase> sigmoidCases() {
  // OpenCLIP's initial scale and bias, and a trained-looking pair.
  const float ln10 = std::log(10.0f);
  return {{1, 4, false, ln10, -10.0f},
          {5, 8, true, 3.0f, -4.0f},
          {37, 6, false, ln10, -10.0f},
          {3, 300, true, 2.0f, 1.0f}};
}

TEST(CudaKernelsSigmoidLoss, ForwardAndBackward) {
  unsigned seed = 300;
  for (const SigmoidCase &c : sigmoidCases()) {
    const i64 n = c.n, d = c.d;
    auto image = random(n * d, seed++), text = random(n * d, seed++);
    if (c.zeroRow)
      std::fill(image.begin() + d, image.begin() + 2 * d, 0.0f);
    const float eps = 1e-6f, grad = 0.7f;
    float loss = 0.0f, dscale = 0.0f, dbias = 0.0f;
    std::vector<float> imageNorm(n), textNorm(n), dimage(n * d), dtext(n * d);
    cpu::sigmoidLoss(n, d, image.data(), text.data(), &c.logitScale,
                     &c.logitBias, eps, &loss, imageNorm.data(),
                     textNorm.data());
    cpu::sigmoidLossGrad(n, d, &grad, image.data(), text.data(), &c.logitScale,
                         &c.logitBias, imageNorm.data(), textNorm.data(), eps,
                         dimage.data(), dtext.data(), &dscale, &dbias);
    const std::string shape =
        "n " + std::to_string(n) + " d " + std::to_string(d) + " ";
    for (const Launch &l : kLaunches) {
      auto dImageNorm = poisoned(n), dTextNorm = poisoned(n),
           dLoss = poisoned(1), dDimage = poisoned(n * d),
           dDtext = poisoned(n * d), dScale = poisoned(1), dBias = poisoned(1);
      std::vector<double> rows(n, NAN), partial(2 * n, NAN);
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossNorms(n, d, image.data(), text.data(), eps,
                                 dImageNorm.data(), dTextNorm.data());
      });
      launch(l.grid, l.block, [&] {
        cu::sigmoidLossRows(n, d, image.data(), text.data(), &c.logitScale,
                            &c.logitBias, dImageNorm.data(), dTextNorm.data(),
                            rows.data());
      });
      launch(l.grid, l.block,
             [&] { cu::sigmoidLossTotal(n, rows.data(), dLoss.data()); });
      launch(l.grid, l.block, [&] {
        cu::sigmoidLossGradScaleRows(
            n, d, &grad, image.data(), text.data(), &c.logitScale,
            &c.logitBias, imageNorm.data(), textNorm.data(), partial.data());
      });
      launch(l.grid, l.block, [&] {
        cu::sigmoidLossGradScaleSum(n, partial.data(), dScale.data(),
                                    dBias.data());
      });
      launch(l.grid, l.block, [&] {
        cu::sigmoidLossGradEmbeddings(
            n, d, &grad, image.data(), text.data(), &c.logitScale,
            &c.logitBias, imageNorm.data(), textNorm.data(), eps,
            dDimage.data(), dDtext.data());
      });
      const std::string what = shape + describe(l);
      expectClose("imageNorm " + what, dImageNorm, imageNorm);
      expectClose("textNorm " + what, dTextNorm, textNorm);
      expectClose("loss " + what, dLoss[0], loss);
      expectClose("dimage " + what, dDimage, dimage);
      expectClose("dtext " + what, dDtext, dtext);
      expectClose("dlogitScale " + what, dScale[0], dscale);
      expectClose("dlogitBias " + what, dBias[0], dbias);
    }
  }
}

} // namespace
