//===- ContrastiveLossTest.cpp - cuda/ContrastiveLoss.cuh, emulated -------===//
//
// The contrastive loss's phases, forward and backward (both forms of
// the logit-scale gradient).
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/ContrastiveLoss.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace clip::test;

namespace {

struct ContrastiveCase {
  i64 n, d;
  bool zeroRow; // image row 1 all zeros: its norm is clamped to epsilon
};

std::vector<ContrastiveCase> contrastiveCases() {
  return {{1, 4, false}, {5, 8, true}, {37, 6, false}, {3, 300, true}};
}

TEST(CudaKernelsContrastiveLoss, Forward) {
  unsigned seed = 90;
  for (const ContrastiveCase &c : contrastiveCases()) {
    const i64 n = c.n, d = c.d;
    auto image = random(n * d, seed++), text = random(n * d, seed++);
    if (c.zeroRow)
      std::fill(image.begin() + d, image.begin() + 2 * d, 0.0f);
    const float logitScale = std::log(1.0f / 0.07f), eps = 1e-6f;
    float loss = 0.0f;
    std::vector<float> imageNorm(n), textNorm(n), imageLse(n), textLse(n);
    cpu::contrastiveLoss(n, d, image.data(), text.data(), &logitScale, eps,
                         &loss, imageNorm.data(), textNorm.data(),
                         imageLse.data(), textLse.data());
    const std::string shape =
        "n " + std::to_string(n) + " d " + std::to_string(d) + " ";
    for (const Launch &l : kLaunches) {
      auto dImageNorm = poisoned(n), dTextNorm = poisoned(n),
           dImageLse = poisoned(n), dTextLse = poisoned(n), dLoss = poisoned(1);
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossNorms(n, d, image.data(), text.data(), eps,
                                 dImageNorm.data(), dTextNorm.data());
      });
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossLse(n, d, image.data(), text.data(), &logitScale,
                               dImageNorm.data(), dTextNorm.data(),
                               dImageLse.data(), dTextLse.data());
      });
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossTotal(
            n, d, image.data(), text.data(), &logitScale, dImageNorm.data(),
            dTextNorm.data(), dImageLse.data(), dTextLse.data(), dLoss.data());
      });
      const std::string what = shape + describe(l);
      expectClose("imageNorm " + what, dImageNorm, imageNorm);
      expectClose("textNorm " + what, dTextNorm, textNorm);
      expectClose("imageLse " + what, dImageLse, imageLse);
      expectClose("textLse " + what, dTextLse, textLse);
      expectClose("loss " + what, dLoss[0], loss);
    }
  }
}

TEST(CudaKernelsContrastiveLoss, Backward) {
  unsigned seed = 120;
  for (const ContrastiveCase &c : contrastiveCases()) {
    const i64 n = c.n, d = c.d;
    auto image = random(n * d, seed++), text = random(n * d, seed++);
    if (c.zeroRow)
      std::fill(image.begin() + d, image.begin() + 2 * d, 0.0f);
    const float logitScale = std::log(1.0f / 0.07f), eps = 1e-6f, grad = 0.7f;
    float loss = 0.0f;
    std::vector<float> imageNorm(n), textNorm(n), imageLse(n), textLse(n);
    cpu::contrastiveLoss(n, d, image.data(), text.data(), &logitScale, eps,
                         &loss, imageNorm.data(), textNorm.data(),
                         imageLse.data(), textLse.data());
    std::vector<float> dimage(n * d), dtext(n * d);
    float dscale = 0.0f;
    cpu::contrastiveLossGrad(n, d, &grad, image.data(), text.data(),
                             &logitScale, imageNorm.data(), textNorm.data(),
                             imageLse.data(), textLse.data(), eps,
                             dimage.data(), dtext.data(), &dscale);
    const std::string shape =
        "n " + std::to_string(n) + " d " + std::to_string(d) + " ";
    for (const Launch &l : kLaunches) {
      auto dDimage = poisoned(n * d), dDtext = poisoned(n * d),
           dScale = poisoned(1), dScaleRows = poisoned(1);
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossGradScale(n, d, &grad, image.data(), text.data(),
                                     &logitScale, imageNorm.data(),
                                     textNorm.data(), imageLse.data(),
                                     textLse.data(), dScale.data());
      });
      // The two-phase form, through dimage/dtext, before the embeddings.
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossGradScaleRows(
            n, d, &grad, image.data(), text.data(), &logitScale,
            imageNorm.data(), textNorm.data(), imageLse.data(), textLse.data(),
            dDimage.data(), dDtext.data());
      });
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossGradScaleSum(n, dDimage.data(), dDtext.data(),
                                        dScaleRows.data());
      });
      launch(l.grid, l.block, [&] {
        cu::contrastiveLossGradEmbeddings(
            n, d, &grad, image.data(), text.data(), &logitScale,
            imageNorm.data(), textNorm.data(), imageLse.data(), textLse.data(),
            eps, dDimage.data(), dDtext.data());
      });
      const std::string what = shape + describe(l);
      expectClose("dimage " + what, dDimage, dimage);
      expectClose("dtext " + what, dDtext, dtext);
      expectClose("dlogitScale " + what, dScale[0], dscale);
      expectClose("dlogitScale (rows) " + what, dScaleRows[0], dscale);
    }
  }
}

} // namespace
