//===- TiledContrastiveLossTest.cpp - cuda/TiledContrastiveLoss.cuh -------===//
//
// The tensor-core contrastive loss, forward and backward, under the warp-
// and MMA-faithful emulator, against clip::cpu::contrastiveLoss(Grad) (f32)
// on the same bf16 embeddings: batches inside one tile, ragged over several
// tiles and panels, embedding widths inside one chunk and past it, a row
// whose norm clamps; blocks in a shuffled order.
//
// Two kinds of data. Exact rows (four +-0.5 entries: norm 1, every bf16
// logit exact) isolate the layouts, masks and sums: log-sum-exps and loss
// within 1e-5 (f32 against double sums; measured 1e-6), gradients within
// 4e-3 relative L2 (G and the outputs rounded to bf16, 2^-9 each; measured
// 0.9e-3 to 3.2e-3). Gaussian rows carry the bf16 unit vectors' rounding: a
// dot of unit vectors is off by at most 2^-8, so logits, log-sum-exps and
// the loss by s 2^-8 (0.056; measured 6.4e-3 at d 64, 2.4e-3 at d 512);
// gradients measured 3.1e-3 to 3.5e-3, bound 1e-2; the logit scale's
// gradient (a sum with cancellation) 1.4e-4 to 1.8e-2, bound 4e-2. A wrong
// fragment, mask or side is off by 10% or more. Norms are computed as the
// CPU does (double sums of the same values): 1e-6. Two runs give the same
// bits.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cpu/CpuKernels.h"
#include "runtime/cuda/TiledContrastiveLoss.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace clip::test;

namespace {

struct LossCase {
  i64 n, d;
  /// Rows of four +-0.5 entries (norm 1, every logit exact in bf16 and
  /// f32) instead of Gaussian ones.
  bool exact;
  bool clamp; // text row 1 all zeros: its norm clamps at epsilon
};

/// image and text [n, d]: Gaussian, text = noise + image / 4 (pairs agree
/// a little, as a trained model's do: the loss is about 1, not 0); or exact
/// rows of four +-0.5 entries, a pair sharing two of them.
void embeddings(const LossCase &c, std::vector<clip::bf16> &image,
                std::vector<clip::bf16> &text) {
  const i64 n = c.n, d = c.d;
  std::mt19937 rng(static_cast<unsigned>(n * 31 + d + c.exact));
  image.assign(n * d, clip::bf16(0.0f));
  text.assign(n * d, clip::bf16(0.0f));
  if (c.exact) {
    std::uniform_int_distribution<i64> column(0, d - 1);
    std::bernoulli_distribution sign;
    auto put = [&](std::vector<clip::bf16> &x, i64 row, i64 e) {
      x[row * d + e] = clip::bf16(sign(rng) ? 0.5f : -0.5f);
    };
    for (i64 i = 0; i < n; ++i) {
      std::vector<i64> picked;
      while (picked.size() < 6) {
        const i64 e = column(rng);
        if (std::find(picked.begin(), picked.end(), e) == picked.end())
          picked.push_back(e);
      }
      for (int k = 0; k < 4; ++k)
        put(image, i, picked[k]); // shares picked[2], picked[3] with text
      for (int k = 2; k < 6; ++k)
        put(text, i, picked[k]);
      for (int k = 2; k < 4; ++k)
        text[i * d + picked[k]] = image[i * d + picked[k]];
    }
  } else {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (i64 i = 0; i < n * d; ++i) {
      const float x = normal(rng);
      image[i] = clip::bf16(x);
      text[i] = clip::bf16(normal(rng) + 0.25f * x);
    }
  }
  if (c.clamp && n > 1)
    std::fill(text.begin() + d, text.begin() + 2 * d, clip::bf16(0.0f));
}

double maxAbs(const std::vector<float> &got, const std::vector<float> &want) {
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(double(got[i]) - double(want[i])));
  return worst;
}

bool sameBits(const std::vector<clip::bf16> &a,
              const std::vector<clip::bf16> &b) {
  return std::equal(
      a.begin(), a.end(), b.begin(),
      [](clip::bf16 x, clip::bf16 y) { return x.bits == y.bits; });
}

void check(const LossCase &c, unsigned grid, int runs = 1) {
  const i64 n = c.n, d = c.d;
  std::vector<clip::bf16> image, text;
  embeddings(c, image, text);
  const float logitScale = std::log(1.0f / 0.07f), eps = 1e-6f, grad = 0.8f;
  const std::vector<float> imageF = widen(image), textF = widen(text);

  float wantLoss = 0.0f, wantScaleGrad = 0.0f;
  std::vector<float> wantImageNorm(n), wantTextNorm(n), wantImageLse(n),
      wantTextLse(n), wantDimage(n * d), wantDtext(n * d);
  cpu::contrastiveLoss(n, d, imageF.data(), textF.data(), &logitScale, eps,
                       &wantLoss, wantImageNorm.data(), wantTextNorm.data(),
                       wantImageLse.data(), wantTextLse.data());
  cpu::contrastiveLossGrad(n, d, &grad, imageF.data(), textF.data(),
                           &logitScale, wantImageNorm.data(),
                           wantTextNorm.data(), wantImageLse.data(),
                           wantTextLse.data(), eps, wantDimage.data(),
                           wantDtext.data(), &wantScaleGrad);

  std::vector<clip::bf16> dimage[2], dtext[2];
  std::vector<float> loss, imageNorm, textNorm, imageLse, textLse, dimageF32,
      dtextF32;
  float scaleGrad[2];
  for (int run = 0; run < runs; ++run) {
    std::vector<clip::bf16> unitImage(n * d, clip::bf16(kNan)),
        unitText(n * d, clip::bf16(kNan));
    loss = poisoned(1);
    imageNorm = poisoned(n);
    textNorm = poisoned(n);
    imageLse = poisoned(n);
    textLse = poisoned(n);
    launch(grid, cu::kBlock, [&] {
      cu::contrastiveLossUnits(n, d, image.data(), text.data(), eps,
                               imageNorm.data(), textNorm.data(),
                               unitImage.data(), unitText.data());
    });
    launch(grid, cu::kFlashThreads, [&] {
      cu::contrastiveLossTileLse(n, d, unitImage.data(), unitText.data(),
                                 &logitScale, imageLse.data(), textLse.data());
    });
    launch(grid, cu::kBlock, [&] {
      cu::contrastiveLossTileTotal(n, d, unitImage.data(), unitText.data(),
                                   &logitScale, imageLse.data(), textLse.data(),
                                   loss.data());
    });
    // The backward from the CPU's saved norms and log-sum-exps, as a step
    // gives it the forward's.
    std::fill(unitImage.begin(), unitImage.end(), clip::bf16(kNan));
    std::fill(unitText.begin(), unitText.end(), clip::bf16(kNan));
    std::vector<float> imageSums = poisoned(n * d), textSums = poisoned(n * d);
    std::vector<double> partial(n, kNan);
    dimage[run].assign(n * d, clip::bf16(kNan));
    dtext[run].assign(n * d, clip::bf16(kNan));
    scaleGrad[run] = kNan;
    launch(grid, cu::kBlock, [&] {
      cu::contrastiveLossGradUnits(n, d, image.data(), text.data(),
                                   wantImageNorm.data(), wantTextNorm.data(),
                                   unitImage.data(), unitText.data());
    });
    launch(grid, cu::kFlashThreads, [&] {
      cu::contrastiveLossTileGrad(
          n, d, &grad, unitImage.data(), unitText.data(), &logitScale,
          wantImageLse.data(), wantTextLse.data(), imageSums.data(),
          textSums.data(), partial.data());
    });
    launch(grid, cu::kBlock, [&] {
      cu::contrastiveLossGradFinish(
          n, d, image.data(), text.data(), &logitScale, wantImageNorm.data(),
          wantTextNorm.data(), eps, imageSums.data(), textSums.data(),
          partial.data(), dimage[run].data(), dtext[run].data(),
          &scaleGrad[run]);
    });
    // The f32 gradients the mixed-precision policy keeps: the same values
    // before the last rounding.
    if (run == 0) {
      dimageF32 = poisoned(n * d);
      dtextF32 = poisoned(n * d);
      float unused = kNan;
      launch(grid, cu::kBlock, [&] {
        cu::contrastiveLossGradFinish(
            n, d, image.data(), text.data(), &logitScale, wantImageNorm.data(),
            wantTextNorm.data(), eps, imageSums.data(), textSums.data(),
            partial.data(), dimageF32.data(), dtextF32.data(), &unused);
      });
    }
  }
  int unrounded = 0; // bf16 outputs are the f32 ones rounded
  for (i64 i = 0; i < n * d; ++i)
    unrounded += clip::bf16(dimageF32[i]).bits != dimage[0][i].bits ||
                 clip::bf16(dtextF32[i]).bits != dtext[0][i].bits;
  EXPECT_EQ(unrounded, 0) << "n " << n << " d " << d;
  const double lseErr =
      std::max(maxAbs(imageLse, wantImageLse), maxAbs(textLse, wantTextLse));
  const double lossErr = std::abs(double(loss[0]) - wantLoss);
  const double normErr = std::max(maxAbs(imageNorm, wantImageNorm),
                                  maxAbs(textNorm, wantTextNorm));
  const double di = relL2(dimage[0], wantDimage),
               dt = relL2(dtext[0], wantDtext);
  const double ds = std::abs(double(scaleGrad[0]) - wantScaleGrad) /
                    std::max(1e-6, std::abs(double(wantScaleGrad)));
  std::printf("  tiled loss n %lld d %lld%s: loss %.3g (err %.2e), lse %.2e, "
              "dimage %.2e, dtext %.2e, dlogitScale %.2e\n",
              n, d, c.exact ? " exact" : "", wantLoss, lossErr, lseErr, di, dt,
              ds);
  const std::string what = "n " + std::to_string(n) + " d " +
                           std::to_string(d) + (c.exact ? " exact" : "");
  EXPECT_LE(normErr,
            1e-6 *
                std::max(1.0, double(*std::max_element(wantImageNorm.begin(),
                                                       wantImageNorm.end()))))
      << what;
  if (c.clamp && n > 1) {
    EXPECT_EQ(textNorm[1], eps) << what;
  }
  // Exact logits: f32 sums against the CPU's double ones. Otherwise a bf16
  // dot of unit vectors is off by at most 2^-8 (each factor by 2^-9), so
  // a logit by s 2^-8, and a log-sum-exp (a weighted mean) by as much.
  const double logitBound = c.exact ? 1e-5 : std::exp(logitScale) / 256.0;
  EXPECT_LE(lseErr, logitBound) << what;
  EXPECT_LE(lossErr, logitBound) << what;
  // G and the outputs rounded to bf16 (2^-9 each), plus the logits' error
  // through exp (relative to G's size, up to s 2^-8 where G is small).
  const double gradBound = c.exact ? 4e-3 : 1e-2;
  EXPECT_LE(di, gradBound) << what;
  EXPECT_LE(dt, gradBound) << what;
  EXPECT_LE(ds, c.exact ? 1e-5 : 4e-2) << what;
  if (runs == 2) {
    EXPECT_TRUE(sameBits(dimage[0], dimage[1]) &&
                sameBits(dtext[0], dtext[1]) && scaleGrad[0] == scaleGrad[1])
        << what << ": two runs differ";
  }
}

TEST(CudaKernelsTiledContrastiveLoss, ExactLogits) {
  check({1, 16, true, false}, 1);
  // d 80: a full chunk of 64 and a ragged one of 16.
  check({13, 80, true, true}, 2);
  // 150 rows: three row tiles (the last of 22), two column panels (the
  // last ragged), in a shuffled block order twice: the same bits.
  check({150, 32, true, true}, 3, 2);
}

TEST(CudaKernelsTiledContrastiveLoss, GaussianEmbeddings) {
  check({64, 64, false, false}, 1);
  check({40, 512, false, false}, 2); // the models' width, eight chunks
}

} // namespace
