//===- SigmoidLoss.cuh - SigLIP's sigmoid loss (CUDA device library) -------===//
//
// clip.sigmoid_loss, f32 and correct-first (no tensor cores): the norms are
// contrastiveLossNorms', then each image row's sum of -log(sigmoid(z L)) in
// double (Rows) and their mean (Total). The backward: per-row partials of
// the scale's and bias's gradients (GradScaleRows, then GradScaleSum), and
// the embeddings' gradients row by row and column by column (GradEmbeddings),
// each logit rebuilt from the saved norms: no N x N matrix.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_SIGMOIDLOSS_CUH
#define CLIP_RUNTIME_CUDA_SIGMOIDLOSS_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/ContrastiveLoss.cuh"
#endif

namespace clip::cuda {

namespace detail {
/// -log(sigmoid(x)) without overflow either way.
__device__ inline double softplusOfNegative(double x) {
  return x >= 0.0 ? log1pD(expD(-x)) : -x + log1pD(expD(x));
}
/// d/dL of weight * -log(sigmoid(z L)), z = 1 on the diagonal, else -1.
__device__ inline float sigmoidLogitGrad(float logitValue, bool diagonal,
                                         float weight) {
  const double z = diagonal ? 1.0 : -1.0;
  return static_cast<float>(static_cast<double>(weight) * -z /
                            (1.0 + expD(z * static_cast<double>(logitValue))));
}
} // namespace detail

/// Phase 2 of clip::cpu::sigmoidLoss: rowSum[i] = sum_j -log(sigmoid(z_ij
/// L_ij)), L = s a b^T + bias, in double (after contrastiveLossNorms).
/// units: n, block-per-unit.
__device__ inline void
sigmoidLossRows(i64 n, i64 d, const float *image, const float *text,
                const float *logitScale, const float *logitBias,
                const float *imageNorm, const float *textNorm,
                double *rowSum) {
  using namespace detail;
  const float s = expScale(logitScale), bias = *logitBias;
  for (i64 i = blockIdx.x; i < n; i += gridDim.x) {
    double part = 0.0;
    for (i64 j = tid(); j < n; j += nthreads()) {
      const double l = static_cast<double>(
          logit(d, image, text, imageNorm, textNorm, s, i, j) + bias);
      part += softplusOfNegative(i == j ? l : -l);
    }
    const double total = blockSum(part);
    if (tid() == 0)
      rowSum[i] = total;
  }
}

/// Phase 3: loss = sum(rowSum) / n (NaN when n == 0).
/// units: 1, block-per-unit.
__device__ inline void sigmoidLossTotal(i64 n, const double *rowSum,
                                        float *loss) {
  using namespace detail;
  for (i64 u = blockIdx.x; u < 1; u += gridDim.x) {
    double part = 0.0;
    for (i64 i = tid(); i < n; i += nthreads())
      part += rowSum[i];
    const double total = blockSum(part);
    if (tid() == 0)
      *loss = n > 0 ? static_cast<float>(total / static_cast<double>(n))
                    : quietNan();
  }
}

/// Backward phase 1: row i's sum_j G_ij (L_ij - bias) and sum_j G_ij into
/// partial[2 i], partial[2 i + 1] (G the logits' gradient times grad / n).
/// units: n, block-per-unit.
__device__ inline void sigmoidLossGradScaleRows(
    i64 n, i64 d, const float *grad, const float *image, const float *text,
    const float *logitScale, const float *logitBias, const float *imageNorm,
    const float *textNorm, double *partial) {
  using namespace detail;
  const float s = expScale(logitScale), bias = *logitBias;
  const float weight =
      static_cast<float>(static_cast<double>(*grad) / static_cast<double>(n));
  for (i64 i = blockIdx.x; i < n; i += gridDim.x) {
    double scalePart = 0.0, biasPart = 0.0;
    for (i64 j = tid(); j < n; j += nthreads()) {
      const float scaled = logit(d, image, text, imageNorm, textNorm, s, i, j);
      const float g = sigmoidLogitGrad(scaled + bias, i == j, weight);
      scalePart += static_cast<double>(g) * static_cast<double>(scaled);
      biasPart += static_cast<double>(g);
    }
    blockSum2(scalePart, biasPart);
    if (tid() == 0) {
      partial[2 * i] = scalePart;
      partial[2 * i + 1] = biasPart;
    }
  }
}

/// Backward phase 2: the scale's and bias's gradients from the partials
/// (0 when n == 0).
/// units: 1, block-per-unit.
__device__ inline void sigmoidLossGradScaleSum(i64 n, const double *partial,
                                               float *dlogitScale,
                                               float *dlogitBias) {
  using namespace detail;
  for (i64 u = blockIdx.x; u < 1; u += gridDim.x) {
    double scalePart = 0.0, biasPart = 0.0;
    for (i64 i = tid(); i < n; i += nthreads()) {
      scalePart += partial[2 * i];
      biasPart += partial[2 * i + 1];
    }
    blockSum2(scalePart, biasPart);
    if (tid() == 0) {
      *dlogitScale = static_cast<float>(scalePart);
      *dlogitBias = static_cast<float>(biasPart);
    }
  }
}

/// dimage and dtext of clip::cpu::sigmoidLossGrad (embeddingGradients of
/// G_ij = -grad / n z_ij sigmoid(-z_ij L_ij)).
/// units: 2 * n, block-per-unit.
__device__ inline void sigmoidLossGradEmbeddings(
    i64 n, i64 d, const float *grad, const float *image, const float *text,
    const float *logitScale, const float *logitBias, const float *imageNorm,
    const float *textNorm, float epsilon, float *dimage, float *dtext) {
  using namespace detail;
  const float s = expScale(logitScale), bias = *logitBias;
  const float weight =
      static_cast<float>(static_cast<double>(*grad) / static_cast<double>(n));
  embeddingGradients(n, d, image, text, imageNorm, textNorm, s, epsilon,
                     dimage, dtext, [=](i64 i, i64 j) {
                       return sigmoidLogitGrad(logit(d, image, text, imageNorm,
                                                     textNorm, s, i, j) +
                                                   bias,
                                               i == j, weight);
                     });
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_SIGMOIDLOSS_CUH
