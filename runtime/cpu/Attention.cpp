//===- Attention.cpp - Attention and the contrastive loss -----------------===//
//
// attention: per (batch, block of query rows) work item, S = scale Q K^T by
// sgemm, a row softmax through its log-sum-exp, then O = P V by sgemm; work
// items are spread over OpenMP threads (each OpenBLAS call single-threaded).
// attentionGrad: FlashAttention's backward per batch entry, with P rebuilt
// from lse: dV = P^T dO, dP = dO V^T, dS = P (dP - D), dQ = scale dS K,
// dK = scale dS^T Q. Each output element is written by exactly one work
// item, so results do not depend on scheduling.
// contrastiveLoss(Grad): the N x N logits by sgemm on the normalized
// embeddings, row / column log-sum-exps, then dL and two sgemms back.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/CpuInternal.h"
#include "runtime/cpu/CpuKernels.h"

#include <cmath>
#include <limits>
#include <vector>

namespace clip::cpu {

using namespace detail;

namespace {
const float kNegInf = -std::numeric_limits<float>::infinity();
} // namespace

void attention(int64_t batch, int64_t lq, int64_t lk, int64_t d, int64_t dv,
               float scale, bool causal, const float *q, const float *k,
               const float *v, float *out, float *lse) {
  if (batch <= 0 || lq <= 0)
    return;
  if (lk <= 0) { // no keys: an empty softmax
    fill(out, batch * lq * dv, 0.0f);
    fill(lse, batch * lq, kNegInf);
    return;
  }
  // Work items: (batch entry, block of query rows). Blocks keep the scores'
  // scratch small and give every thread work when the batch is small.
  const int threads = maxThreads();
  int64_t blocks = (lq + 255) / 256;
  if (threads > 1 && batch < 2 * threads)
    blocks = std::max(blocks, (2 * threads + batch - 1) / batch);
  blocks = std::min(blocks, lq);
  const int64_t rowBlock = (lq + blocks - 1) / blocks;
  blocks = (lq + rowBlock - 1) / rowBlock;
  const int64_t items = batch * blocks;
  const bool parallel =
      threads > 1 && items > 1 && worthThreads(batch * lq * lk * (d + dv));

#pragma omp parallel if (parallel)
  {
    std::vector<float> scores(static_cast<size_t>(rowBlock * lk));
#pragma omp for schedule(static)
    for (int64_t item = 0; item < items; ++item) {
      const int64_t b = item / blocks, r0 = (item % blocks) * rowBlock;
      const int64_t rows = std::min(rowBlock, lq - r0);
      // Causal: no query of the block sees a key past its last row.
      const int64_t keys = causal ? std::min(lk, r0 + rows) : lk;
      float *s = scores.data();
      sgemm(false, true, rows, keys, d, scale, q + (b * lq + r0) * d, d,
            k + b * lk * d, d, 0.0f, s, keys);
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t i = r0 + r;
        const int64_t visible = causal ? std::min(i + 1, keys) : keys;
        float *row = s + r * keys;
        const float max = rowMax(row, visible);
        const double sum = expShiftSum(row, row, visible, max);
        lse[b * lq + i] =
            static_cast<float>(static_cast<double>(max) + std::log(sum));
        const float inv = static_cast<float>(1.0 / sum);
        for (int64_t j = 0; j < visible; ++j)
          row[j] *= inv;
        for (int64_t j = visible; j < keys; ++j)
          row[j] = 0.0f;
      }
      sgemm(false, false, rows, dv, keys, 1.0f, s, keys, v + b * lk * dv, dv,
            0.0f, out + (b * lq + r0) * dv, dv);
    }
  }
}

void attentionGrad(int64_t batch, int64_t lq, int64_t lk, int64_t d, int64_t dv,
                   float scale, bool causal, const float *grad, const float *q,
                   const float *k, const float *v, const float *out,
                   const float *lse, float *dq, float *dk, float *dvOut) {
  if (batch <= 0)
    return;
  if (lq <= 0 || lk <= 0) {
    fill(dq, batch * lq * d, 0.0f);
    fill(dk, batch * lk * d, 0.0f);
    fill(dvOut, batch * lk * dv, 0.0f);
    return;
  }
  const bool parallel =
      batchParallel(batch) && worthThreads(batch * lq * lk * (d + dv));
  auto problem = [&](int64_t b, float *p, float *dp,
                     std::vector<double> &rowDot) {
    const float *qb = q + b * lq * d, *kb = k + b * lk * d,
                *vb = v + b * lk * dv, *gb = grad + b * lq * dv,
                *ob = out + b * lq * dv, *lb = lse + b * lq;
    // Split each GEMM over the threads unless the batch already is.
    auto mm = [&](bool ta, bool tb, int64_t m, int64_t n, int64_t kk,
                  float alpha, const float *a, const float *bm, float *c) {
      if (parallel)
        sgemm(ta, tb, m, n, kk, alpha, a, bm, 0.0f, c);
      else
        parallelSgemm(ta, tb, m, n, kk, alpha, a, bm, 0.0f, c);
    };
    // P = exp(scale q k^T - lse), zero where masked.
    mm(false, true, lq, lk, d, scale, qb, kb, p);
    for (int64_t i = 0; i < lq; ++i) {
      const int64_t visible = causal ? std::min(i + 1, lk) : lk;
      float *row = p + i * lk;
      expShiftSum(row, row, visible, lb[i]);
      for (int64_t j = visible; j < lk; ++j)
        row[j] = 0.0f;
      rowDot[i] = dotDouble(gb + i * dv, ob + i * dv, dv); // D_i
    }
    // dV = P^T dO; dP = dO V^T.
    mm(true, false, lk, dv, lq, 1.0f, p, gb, dvOut + b * lk * dv);
    mm(false, true, lq, lk, dv, 1.0f, gb, vb, dp);
    // dS = P (dP - D), into dp (masked P are 0, so masked dS are 0).
    for (int64_t i = 0; i < lq; ++i) {
      const float di = static_cast<float>(rowDot[i]);
      const float *prow = p + i * lk;
      float *row = dp + i * lk;
      for (int64_t j = 0; j < lk; ++j)
        row[j] = prow[j] * (row[j] - di);
    }
    // dQ = scale dS K; dK = scale dS^T Q.
    mm(false, false, lq, d, lk, scale, dp, kb, dq + b * lq * d);
    mm(true, false, lk, d, lq, scale, dp, qb, dk + b * lk * d);
  };

#pragma omp parallel if (parallel)
  {
    std::vector<float> p(static_cast<size_t>(lq * lk)),
        dp(static_cast<size_t>(lq * lk));
    std::vector<double> rowDot(static_cast<size_t>(lq));
#pragma omp for schedule(static)
    for (int64_t b = 0; b < batch; ++b)
      problem(b, p.data(), dp.data(), rowDot);
  }
}

namespace {

/// unit[i] = x[i] / max(||x[i]||, epsilon), norm[i] = that clamped norm.
void normalizeRows(int64_t n, int64_t d, const float *x, float epsilon,
                   float *norm, float *unit) {
#pragma omp parallel for schedule(static) if (worthThreads(n * d))
  for (int64_t i = 0; i < n; ++i) {
    const float *row = x + i * d;
    const double length = std::sqrt(dotDouble(row, row, d));
    const float nrm =
        static_cast<float>(std::max(length, static_cast<double>(epsilon)));
    norm[i] = nrm;
    for (int64_t e = 0; e < d; ++e)
      unit[i * d + e] = row[e] / nrm;
  }
}

/// unit[i] = x[i] / norm[i] with the given norms.
void divideRows(int64_t n, int64_t d, const float *x, const float *norm,
                float *unit) {
#pragma omp parallel for schedule(static) if (worthThreads(n * d))
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = 0; e < d; ++e)
      unit[i * d + e] = x[i * d + e] / norm[i];
}

/// out = in^T for an n x n matrix, in tiles.
void transposeSquare(int64_t n, const float *in, float *out) {
  const int64_t tile = 32;
  const int64_t tiles = (n + tile - 1) / tile;
#pragma omp parallel for schedule(static) if (worthThreads(n * n))
  for (int64_t ti = 0; ti < tiles; ++ti)
    for (int64_t j0 = 0; j0 < n; j0 += tile)
      for (int64_t i = ti * tile; i < std::min(n, (ti + 1) * tile); ++i)
        for (int64_t j = j0; j < std::min(n, j0 + tile); ++j)
          out[j * n + i] = in[i * n + j];
}

/// lse[i] = log(sum_j exp(m[i][j])) of each row of an n x n matrix.
void rowLogSumExp(int64_t n, const float *m, float *lse) {
#pragma omp parallel if (worthThreads(n * n))
  {
    std::vector<float> scratch(static_cast<size_t>(n));
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const float *row = m + i * n;
      const float max = rowMax(row, n);
      const double sum = expShiftSum(row, scratch.data(), n, max);
      lse[i] = static_cast<float>(static_cast<double>(max) + std::log(sum));
    }
  }
}

} // namespace

void contrastiveLoss(int64_t n, int64_t d, const float *image,
                     const float *text, const float *logitScale, float epsilon,
                     float *loss, float *imageNorm, float *textNorm,
                     float *imageLse, float *textLse) {
  if (n <= 0) {
    *loss = std::numeric_limits<float>::quiet_NaN(); // a mean over nothing
    return;
  }
  const float s =
      static_cast<float>(std::exp(static_cast<double>(*logitScale)));
  std::vector<float> a(static_cast<size_t>(n * d)),
      b(static_cast<size_t>(n * d));
  normalizeRows(n, d, image, epsilon, imageNorm, a.data());
  normalizeRows(n, d, text, epsilon, textNorm, b.data());
  // logits = s a b^T, and its transpose for the column log-sum-exps.
  std::vector<float> logits(static_cast<size_t>(n * n)),
      transposed(static_cast<size_t>(n * n));
  parallelSgemm(false, true, n, n, d, s, a.data(), b.data(), 0.0f,
                logits.data());
  transposeSquare(n, logits.data(), transposed.data());
  rowLogSumExp(n, logits.data(), imageLse);
  rowLogSumExp(n, transposed.data(), textLse);
  double imageTerm = 0.0, textTerm = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double diagonal = logits[i * n + i];
    imageTerm += static_cast<double>(imageLse[i]) - diagonal;
    textTerm += static_cast<double>(textLse[i]) - diagonal;
  }
  *loss = static_cast<float>((imageTerm + textTerm) /
                             (2.0 * static_cast<double>(n)));
}

void contrastiveLossGrad(int64_t n, int64_t d, const float *grad,
                         const float *image, const float *text,
                         const float *logitScale, const float *imageNorm,
                         const float *textNorm, const float *imageLse,
                         const float *textLse, float epsilon, float *dimage,
                         float *dtext, float *dlogitScale) {
  if (n <= 0) {
    *dlogitScale = 0.0f;
    return;
  }
  const float s =
      static_cast<float>(std::exp(static_cast<double>(*logitScale)));
  const float weight = static_cast<float>(static_cast<double>(*grad) /
                                          (2.0 * static_cast<double>(n)));
  std::vector<float> a(static_cast<size_t>(n * d)),
      b(static_cast<size_t>(n * d));
  divideRows(n, d, image, imageNorm, a.data());
  divideRows(n, d, text, textNorm, b.data());
  // L = s a b^T, then dL in place; per-row partials of sum(dL * L).
  std::vector<float> dl(static_cast<size_t>(n * n));
  std::vector<double> scalePartial(static_cast<size_t>(n));
  parallelSgemm(false, true, n, n, d, s, a.data(), b.data(), 0.0f, dl.data());
#pragma omp parallel if (worthThreads(n * n))
  {
    std::vector<float> byRow(static_cast<size_t>(n)),
        byColumn(static_cast<size_t>(n));
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      float *row = dl.data() + i * n;
      expShiftSum(row, byRow.data(), n, imageLse[i]);
      expDifference(row, textLse, byColumn.data(), n);
      double partial = 0.0;
      for (int64_t j = 0; j < n; ++j) {
        const float logit = row[j];
        const float g =
            weight * (byRow[j] + byColumn[j] - (i == j ? 2.0f : 0.0f));
        partial += static_cast<double>(g) * static_cast<double>(logit);
        row[j] = g;
      }
      scalePartial[i] = partial;
    }
  }
  double scaleGrad = 0.0;
  for (int64_t i = 0; i < n; ++i)
    scaleGrad += scalePartial[i];
  *dlogitScale = static_cast<float>(scaleGrad);

  // da = s dL b, db = s dL^T a (into the outputs), then back through the
  // normalization: (da - a (a . da)) / norm, or da / norm where clamped.
  parallelSgemm(false, false, n, d, n, s, dl.data(), b.data(), 0.0f, dimage);
  parallelSgemm(true, false, n, d, n, s, dl.data(), a.data(), 0.0f, dtext);
  auto throughNorm = [&](const float *x, const float *unit, const float *norm,
                         float *dx) {
#pragma omp parallel for schedule(static) if (worthThreads(n * d))
    for (int64_t i = 0; i < n; ++i) {
      const float *xr = x + i * d, *ur = unit + i * d;
      float *g = dx + i * d;
      const float nrm = norm[i];
      const bool clamped =
          std::sqrt(dotDouble(xr, xr, d)) <= static_cast<double>(epsilon);
      const float proj =
          clamped ? 0.0f : static_cast<float>(dotDouble(ur, g, d));
      for (int64_t e = 0; e < d; ++e)
        g[e] = (g[e] - ur[e] * proj) / nrm;
    }
  };
  throughNorm(image, a.data(), imageNorm, dimage);
  throughNorm(text, b.data(), textNorm, dtext);
}

} // namespace clip::cpu
