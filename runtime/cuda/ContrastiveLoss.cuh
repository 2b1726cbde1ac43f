//===- ContrastiveLoss.cuh - Contrastive loss (CUDA device library) -------===//
//
// clip.contrastive_loss: forward in three phases (Norms, Lse, Total),
// backward in one (GradEmbeddings) plus the logit-scale gradient
// (GradScale, or the faster pair GradScaleRows + GradScaleSum).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_CONTRASTIVELOSS_CUH
#define CLIP_RUNTIME_CUDA_CONTRASTIVELOSS_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

/// Phase 1 of clip::cpu::contrastiveLoss: imageNorm/textNorm [n], the L2
/// norms clamped below at epsilon. Unit u < n is image row u, else text row
/// u - n.
/// units: 2 * n, block-per-unit.
__device__ inline void contrastiveLossNorms(i64 n, i64 d, const float *image,
                                            const float *text, float epsilon,
                                            float *imageNorm, float *textNorm) {
  using namespace detail;
  for (i64 u = blockIdx.x; u < 2 * n; u += gridDim.x) {
    const float *row = u < n ? image + u * d : text + (u - n) * d;
    const double length = sqrtD(blockSum(dotPartial(row, row, d)));
    const double eps = static_cast<double>(epsilon);
    const float norm = static_cast<float>(length < eps ? eps : length);
    if (tid() == 0)
      (u < n ? imageNorm[u] : textNorm[u - n]) = norm;
  }
}

/// Phase 2: imageLse [n] (log-sum-exp of each row of the logits) for units
/// u < n, textLse [n] (of each column) for the others.
/// units: 2 * n, block-per-unit.
__device__ inline void
contrastiveLossLse(i64 n, i64 d, const float *image, const float *text,
                   const float *logitScale, const float *imageNorm,
                   const float *textNorm, float *imageLse, float *textLse) {
  using namespace detail;
  const float s = expScale(logitScale);
  for (i64 u = blockIdx.x; u < 2 * n; u += gridDim.x) {
    const bool rowSide = u < n;
    const i64 fixed = rowSide ? u : u - n;
    float max = negInf();
    double sum = 0.0;
    for (i64 o = tid(); o < n; o += nthreads())
      lseAdd(max, sum,
             rowSide ? logit(d, image, text, imageNorm, textNorm, s, fixed, o)
                     : logit(d, image, text, imageNorm, textNorm, s, o, fixed));
    sum = blockLse(max, sum);
    if (tid() == 0)
      (rowSide ? imageLse[fixed] : textLse[fixed]) =
          static_cast<float>(static_cast<double>(max) + logD(sum));
  }
}

/// Phase 3: the scalar loss, mean over the rows of (imageLse_i - L_ii) and
/// (textLse_i - L_ii), halved. NaN when n == 0.
/// units: 1, block-per-unit (one block does it all: O(n d)).
__device__ inline void
contrastiveLossTotal(i64 n, i64 d, const float *image, const float *text,
                     const float *logitScale, const float *imageNorm,
                     const float *textNorm, const float *imageLse,
                     const float *textLse, float *loss) {
  using namespace detail;
  const float s = expScale(logitScale);
  for (i64 u = blockIdx.x; u < 1; u += gridDim.x) {
    double part = 0.0;
    for (i64 i = tid(); i < n; i += nthreads()) {
      const double diagonal = static_cast<double>(
          logit(d, image, text, imageNorm, textNorm, s, i, i));
      part += (static_cast<double>(imageLse[i]) - diagonal) +
              (static_cast<double>(textLse[i]) - diagonal);
    }
    const double total = blockSum(part);
    if (tid() == 0)
      *loss = n > 0 ? static_cast<float>(total / (2.0 * static_cast<double>(n)))
                    : quietNan();
  }
}

namespace detail {
/// A row's gradient `dx` [d] of unit = x / norm turned into x's, by the
/// block: (dx - unit (unit . dx)) / norm, or dx / norm where the norm was
/// clamped to epsilon.
__device__ inline void throughNormalization(i64 d, const float *x, float norm,
                                            float epsilon, float *dx) {
  const i64 t = tid(), nt = nthreads();
  double squares = 0.0, projection = 0.0;
  for (i64 e = t; e < d; e += nt) {
    squares += static_cast<double>(x[e]) * static_cast<double>(x[e]);
    projection += static_cast<double>(x[e] / norm) * static_cast<double>(dx[e]);
  }
  blockSum2(squares, projection);
  const bool clamped = sqrtD(squares) <= static_cast<double>(epsilon);
  const float proj = clamped ? 0.0f : static_cast<float>(projection);
  for (i64 e = t; e < d; e += nt)
    dx[e] = (dx[e] - (x[e] / norm) * proj) / norm;
}

/// The embeddings' gradients of either loss from its logits' gradient
/// `gradOf(i, j)` (G_ij): unit u < n is image row u, da = s sum_j G_uj b_j
/// accumulated chunk by chunk in dimage's row, then back through the
/// normalization; the others are text rows (G's columns).
/// units: 2 * n, block-per-unit.
template <typename LogitGrad>
__device__ void embeddingGradients(i64 n, i64 d, const float *image,
                                   const float *text, const float *imageNorm,
                                   const float *textNorm, float s,
                                   float epsilon, float *dimage, float *dtext,
                                   LogitGrad gradOf) {
  __shared__ float g[kBlock];
  const i64 t = tid(), nt = nthreads();
  for (i64 u = blockIdx.x; u < 2 * n; u += gridDim.x) {
    const bool rowSide = u < n;
    const i64 fixed = rowSide ? u : u - n;
    // The other side's unit vectors are the rows of the product.
    const float *other = rowSide ? text : image;
    const float *otherNorm = rowSide ? textNorm : imageNorm;
    float *dx = (rowSide ? dimage : dtext) + fixed * d;
    const i64 chunks = maxI(1, ceilDiv(n, nt));
    for (i64 c = 0; c < chunks; ++c) {
      const i64 o0 = c * nt, o = o0 + t;
      if (o < n)
        g[t] = rowSide ? gradOf(fixed, o) : gradOf(o, fixed);
      accumulateRows(
          g, maxI(0, minI(nt, n - o0)),
          [=](i64 r, i64 e) {
            return other[(o0 + r) * d + e] / otherNorm[o0 + r];
          },
          d, dx, c == 0, c == chunks - 1, s);
    }
    throughNormalization(d, (rowSide ? image : text) + fixed * d,
                         (rowSide ? imageNorm : textNorm)[fixed], epsilon, dx);
  }
}
} // namespace detail

/// dimage and dtext of clip::cpu::contrastiveLossGrad (embeddingGradients
/// of G_ij = grad / 2n (softmax_rows + softmax_cols - 2 I)). `grad` is the
/// scalar loss gradient.
/// units: 2 * n, block-per-unit.
__device__ inline void contrastiveLossGradEmbeddings(
    i64 n, i64 d, const float *grad, const float *image, const float *text,
    const float *logitScale, const float *imageNorm, const float *textNorm,
    const float *imageLse, const float *textLse, float epsilon, float *dimage,
    float *dtext) {
  using namespace detail;
  const float s = expScale(logitScale);
  const float weight = static_cast<float>(static_cast<double>(*grad) /
                                          (2.0 * static_cast<double>(n)));
  embeddingGradients(n, d, image, text, imageNorm, textNorm, s, epsilon,
                     dimage, dtext, [=](i64 i, i64 j) {
                       const float l = logit(d, image, text, imageNorm,
                                             textNorm, s, i, j);
                       return logitGrad(l, imageLse[i], textLse[j], i == j,
                                        weight);
                     });
}

/// dlogitScale of clip::cpu::contrastiveLossGrad: sum over all (i, j) of
/// G_ij L_ij in double, by one block (O(n^2 d) work in one block: slow for
/// large n; see GradScaleRows/GradScaleSum). 0 when n == 0.
/// units: 1, block-per-unit.
__device__ inline void contrastiveLossGradScale(
    i64 n, i64 d, const float *grad, const float *image, const float *text,
    const float *logitScale, const float *imageNorm, const float *textNorm,
    const float *imageLse, const float *textLse, float *dlogitScale) {
  using namespace detail;
  const float s = expScale(logitScale);
  const float weight = static_cast<float>(static_cast<double>(*grad) /
                                          (2.0 * static_cast<double>(n)));
  for (i64 u = blockIdx.x; u < 1; u += gridDim.x) {
    double part = 0.0;
    for (i64 f = tid(); f < n * n; f += nthreads()) {
      const i64 i = f / n, j = f % n;
      const float l = logit(d, image, text, imageNorm, textNorm, s, i, j);
      const float gij = logitGrad(l, imageLse[i], textLse[j], i == j, weight);
      part += static_cast<double>(gij) * static_cast<double>(l);
    }
    const double total = blockSum(part);
    if (tid() == 0)
      *dlogitScale = static_cast<float>(total);
  }
}

/// The parallel form of contrastiveLossGradScale, phase 1 of 2: row i's
/// sum_j G_ij L_ij in double, stored as an f32 pair (hi in dimage[i], lo in
/// dtext[i]; together ~48 bits). Uses dimage/dtext as scratch, so it runs
/// BEFORE contrastiveLossGradEmbeddings (which overwrites them).
/// units: n, block-per-unit.
__device__ inline void contrastiveLossGradScaleRows(
    i64 n, i64 d, const float *grad, const float *image, const float *text,
    const float *logitScale, const float *imageNorm, const float *textNorm,
    const float *imageLse, const float *textLse, float *dimage, float *dtext) {
  using namespace detail;
  const float s = expScale(logitScale);
  const float weight = static_cast<float>(static_cast<double>(*grad) /
                                          (2.0 * static_cast<double>(n)));
  for (i64 i = blockIdx.x; i < n; i += gridDim.x) {
    double part = 0.0;
    for (i64 j = tid(); j < n; j += nthreads()) {
      const float l = logit(d, image, text, imageNorm, textNorm, s, i, j);
      const float gij = logitGrad(l, imageLse[i], textLse[j], i == j, weight);
      part += static_cast<double>(gij) * static_cast<double>(l);
    }
    const double total = blockSum(part);
    if (tid() == 0) {
      const float hi = static_cast<float>(total);
      dimage[i] = hi;
      dtext[i] = static_cast<float>(total - static_cast<double>(hi));
    }
  }
}

/// Phase 2 of 2: dlogitScale = the sum of the row partials (0 when n == 0).
/// units: 1, block-per-unit.
__device__ inline void contrastiveLossGradScaleSum(i64 n, const float *dimage,
                                                   const float *dtext,
                                                   float *dlogitScale) {
  using namespace detail;
  for (i64 u = blockIdx.x; u < 1; u += gridDim.x) {
    double part = 0.0;
    for (i64 i = tid(); i < n; i += nthreads())
      part += static_cast<double>(dimage[i]) + static_cast<double>(dtext[i]);
    const double total = blockSum(part);
    if (tid() == 0)
      *dlogitScale = static_cast<float>(total);
  }
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_CONTRASTIVELOSS_CUH
