//===- Attention.cpp - Attention and the contrastive loss -----------------===//
//
// attention: per (batch, block of query rows) work item, S = scale Q K^T by
// sgemm, a row softmax through its log-sum-exp, then O = P V by sgemm; work
// items are spread over OpenMP threads (each OpenBLAS call single-threaded).
// attentionGrad: FlashAttention's backward per batch entry, with P rebuilt
// from lse: dV = P^T dO, dP = dO V^T, dS = P (dP - D), dQ = scale dS K,
// dK = scale dS^T Q. Each output element is written by exactly one work
// item, so results do not depend on scheduling.
// contrastiveLoss(Grad): in tiles of the logits by sgemm on the normalized
// embeddings, online row / column log-sum-exps, then dL tile by tile and
// sgemms back; the N x N logits never exist (batch 65,536 fits).
// sigmoidLoss(Grad): the same tiles, each pair's term independent (no
// log-sum-exp to carry), so only the norms are kept for the backward.
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

/// The contrastive loss in tiles (Inf-CL): a work item is a block of
/// kLossRows rows of x; it walks the rows of y kLossColumns at a time,
/// S = s x_I y_J^T by sgemm into a per-thread scratch, so the n x n logits
/// never exist: the extra memory is the normalized embeddings (n d) and
/// kLossRows * kLossColumns floats a thread. A row's result comes from one
/// work item in a fixed column order, so it does not depend on the threads.
constexpr int64_t kLossRows = 256, kLossColumns = 512;

/// Calls tile(i0, rows, j0, columns, S) for every tile of S = s x y^T (x
/// [m, d], y [n, d]), work items spread over the OpenMP threads: row blocks,
/// each walking the column tiles in order, or with `byColumns` column
/// blocks, each walking the row tiles in order (so that a work item owns
/// the rows, or the columns, it writes). `begin(at, count)` / `end(at,
/// count)` run around a work item's tiles (its rows, or its columns).
template <typename Begin, typename Tile, typename End>
void walkLogitTiles(bool byColumns, int64_t m, int64_t n, int64_t d, float s,
                    const float *x, const float *y, Begin begin, Tile tile,
                    End end) {
  const int64_t outer = byColumns ? n : m, inner = byColumns ? m : n;
  const int64_t outerStep = byColumns ? kLossColumns : kLossRows;
  const int64_t innerStep = byColumns ? kLossRows : kLossColumns;
  const int64_t blocks = (outer + outerStep - 1) / outerStep;
#pragma omp parallel if (worthThreads(m * n))
  {
    std::vector<float> scores(static_cast<size_t>(kLossRows * kLossColumns));
#pragma omp for schedule(dynamic)
    for (int64_t block = 0; block < blocks; ++block) {
      const int64_t o0 = block * outerStep;
      const int64_t oCount = std::min(outerStep, outer - o0);
      begin(o0, oCount);
      for (int64_t k0 = 0; k0 < inner; k0 += innerStep) {
        const int64_t kCount = std::min(innerStep, inner - k0);
        const int64_t i0 = byColumns ? k0 : o0,
                      rows = byColumns ? kCount : oCount;
        const int64_t j0 = byColumns ? o0 : k0,
                      columns = byColumns ? oCount : kCount;
        sgemm(false, true, rows, columns, d, s, x + i0 * d, d, y + j0 * d, d,
              0.0f, scores.data(), columns);
        tile(i0, rows, j0, columns, scores.data());
      }
      end(o0, oCount);
    }
  }
}

/// The row-block walk (each row's tiles by one work item, columns in order).
template <typename Begin, typename Tile, typename End>
void forEachLogitTile(int64_t m, int64_t n, int64_t d, float s, const float *x,
                      const float *y, Begin begin, Tile tile, End end) {
  walkLogitTiles(false, m, n, d, s, x, y, begin, tile, end);
}

/// lse[i] = log(sum_j exp(s x_i . y_j)) (x [m, d], y [n, d]) by an online
/// log-sum-exp over the column tiles (max and a double sum rescaled as the
/// max grows); diagonal[i] = s x_i . y_{first + i}, the positive pair's
/// logit, from the same tiles (when not null).
void logSumExpOfRows(int64_t m, int64_t n, int64_t d, float s, const float *x,
                     const float *y, int64_t first, float *lse,
                     float *diagonal) {
  std::vector<float> max(static_cast<size_t>(m));
  std::vector<double> sum(static_cast<size_t>(m));
  forEachLogitTile(
      m, n, d, s, x, y,
      [&](int64_t i0, int64_t rows) {
        std::fill_n(max.begin() + i0, rows, kNegInf);
        std::fill_n(sum.begin() + i0, rows, 0.0);
      },
      [&](int64_t i0, int64_t rows, int64_t j0, int64_t columns, float *t) {
        for (int64_t r = 0; r < rows; ++r) {
          float *row = t + r * columns;
          const int64_t i = i0 + r, positive = first + i;
          if (diagonal && positive >= j0 && positive < j0 + columns)
            diagonal[i] = row[positive - j0];
          // A NaN logit makes the max NaN, and the lse with it.
          const float tileMax = rowMax(row, columns);
          const float m =
              tileMax != tileMax ? tileMax : std::max(max[i], tileMax);
          const double rescale = max[i] == kNegInf
                                     ? 0.0
                                     : std::exp(static_cast<double>(max[i]) -
                                                static_cast<double>(m));
          sum[i] = sum[i] * rescale + expShiftSum(row, row, columns, m);
          max[i] = m;
        }
      },
      [&](int64_t i0, int64_t rows) {
        for (int64_t i = i0; i < i0 + rows; ++i)
          lse[i] = static_cast<float>(static_cast<double>(max[i]) +
                                      std::log(sum[i]));
      });
}

/// dx = s G y over the tiles, G_ij = weight (exp(L_ij - ownLse_i) +
/// exp(L_ij - otherLse_j) - 2 [i == j]), L = s x y^T: the image side with
/// (x, y) = (a, b), the text side with (b, a) and the lse roles swapped
/// (L^T's rows are L's columns). With `scalePartial`, also row i's
/// sum_j G_ij L_ij in double.
void logitGradTimes(int64_t n, int64_t d, float s, float weight, const float *x,
                    const float *y, const float *ownLse, const float *otherLse,
                    float *dx, double *scalePartial) {
  forEachLogitTile(
      n, n, d, s, x, y,
      [&](int64_t i0, int64_t rows) {
        std::fill_n(dx + i0 * d, rows * d, 0.0f);
        if (scalePartial)
          std::fill_n(scalePartial + i0, rows, 0.0);
      },
      [&](int64_t i0, int64_t rows, int64_t j0, int64_t columns, float *t) {
        std::vector<float> byRow(static_cast<size_t>(columns)),
            byColumn(static_cast<size_t>(columns));
        for (int64_t r = 0; r < rows; ++r) {
          float *row = t + r * columns;
          const int64_t i = i0 + r;
          expShiftSum(row, byRow.data(), columns, ownLse[i]);
          expDifference(row, otherLse + j0, byColumn.data(), columns);
          double partial = 0.0;
          for (int64_t c = 0; c < columns; ++c) {
            const float g =
                weight * (byRow[c] + byColumn[c] - (i == j0 + c ? 2.0f : 0.0f));
            partial += static_cast<double>(g) * static_cast<double>(row[c]);
            row[c] = g;
          }
          if (scalePartial)
            scalePartial[i] += partial;
        }
        sgemm(false, false, rows, d, columns, s, t, columns, y + j0 * d, d,
              1.0f, dx + i0 * d, d);
      },
      [](int64_t, int64_t) {});
}

/// Back through unit = x / norm: dx = (du - unit (unit . du)) / norm, or
/// du / norm where the norm was clamped to epsilon; du in place.
void throughNormalization(int64_t n, int64_t d, const float *x,
                          const float *unit, const float *norm, float epsilon,
                          float *du) {
#pragma omp parallel for schedule(static) if (worthThreads(n * d))
  for (int64_t i = 0; i < n; ++i) {
    const float *xr = x + i * d, *ur = unit + i * d;
    float *g = du + i * d;
    const float nrm = norm[i];
    const bool clamped =
        std::sqrt(dotDouble(xr, xr, d)) <= static_cast<double>(epsilon);
    const float proj = clamped ? 0.0f : static_cast<float>(dotDouble(ur, g, d));
    for (int64_t e = 0; e < d; ++e)
      g[e] = (g[e] - ur[e] * proj) / nrm;
  }
}

/// One direction of a process's share of the loss: x [m, d] its own rows,
/// y [n, d] every row of the other side (unit vectors), row i's positive
/// y[first + i]. With L = s x y^T and G = weight (softmax of L's rows -
/// the positives): dx = s G y, dy += s G^T x, *scale += sum(G * L); returns
/// sum_i (lse_i - L_i,first+i). dx's rows are written by row blocks, dy's by
/// column blocks, each by one work item: no reduction crosses threads.
double shardDirection(int64_t m, int64_t n, int64_t d, int64_t first, float s,
                      float weight, const float *x, const float *y, float *dx,
                      float *dy, double *scale) {
  std::vector<float> lse(static_cast<size_t>(m)),
      diagonal(static_cast<size_t>(m));
  logSumExpOfRows(m, n, d, s, x, y, first, lse.data(), diagonal.data());
  double term = 0.0;
  for (int64_t i = 0; i < m; ++i)
    term += static_cast<double>(lse[i]) - static_cast<double>(diagonal[i]);
  // Turns a tile of L into G in place; row i's sum(G * L) into partial[i].
  auto toGradient = [&](int64_t i0, int64_t rows, int64_t j0, int64_t columns,
                        float *t, double *partial) {
    std::vector<float> p(static_cast<size_t>(columns));
    for (int64_t r = 0; r < rows; ++r) {
      float *row = t + r * columns;
      const int64_t i = i0 + r;
      expShiftSum(row, p.data(), columns, lse[i]);
      double sum = 0.0;
      for (int64_t c = 0; c < columns; ++c) {
        const float g = weight * (p[c] - (first + i == j0 + c ? 1.0f : 0.0f));
        sum += static_cast<double>(g) * static_cast<double>(row[c]);
        row[c] = g;
      }
      if (partial)
        partial[i] += sum;
    }
  };
  std::vector<double> partial(static_cast<size_t>(m), 0.0);
  forEachLogitTile(
      m, n, d, s, x, y,
      [&](int64_t i0, int64_t rows) {
        std::fill_n(dx + i0 * d, rows * d, 0.0f);
      },
      [&](int64_t i0, int64_t rows, int64_t j0, int64_t columns, float *t) {
        toGradient(i0, rows, j0, columns, t, partial.data());
        sgemm(false, false, rows, d, columns, s, t, columns, y + j0 * d, d,
              1.0f, dx + i0 * d, d);
      },
      [](int64_t, int64_t) {});
  for (int64_t i = 0; i < m; ++i)
    *scale += partial[i];
  // dy by column blocks: the transposed walk of the same tiles.
  walkLogitTiles(
      true, m, n, d, s, x, y, [](int64_t, int64_t) {},
      [&](int64_t i0, int64_t rows, int64_t j0, int64_t columns, float *t) {
        toGradient(i0, rows, j0, columns, t, nullptr);
        sgemm(true, false, columns, d, rows, s, t, columns, x + i0 * d, d, 1.0f,
              dy + j0 * d, d);
      },
      [](int64_t, int64_t) {});
  return term;
}

/// -log(sigmoid(x)) = log(1 + exp(-x)), without overflow either way.
inline double softplusOfNegative(double x) {
  return x >= 0 ? std::log1p(std::exp(-x)) : -x + std::log1p(std::exp(x));
}

/// The sigmoid loss of x [m, d] against y [n, d] (unit rows, x_i's positive
/// y_{first + i}), L = s x y^T + bias: sum_ij -log(sigmoid(z_ij L_ij)),
/// each row's terms summed in column order by the one work item that owns
/// the row (so the result does not depend on the threads).
double sigmoidLossSum(int64_t m, int64_t n, int64_t d, int64_t first, float s,
                      float bias, const float *x, const float *y) {
  std::vector<double> rowSum(static_cast<size_t>(m), 0.0);
  forEachLogitTile(
      m, n, d, s, x, y, [](int64_t, int64_t) {},
      [&](int64_t i0, int64_t rows, int64_t j0, int64_t columns, float *t) {
        for (int64_t r = 0; r < rows; ++r) {
          const float *row = t + r * columns;
          const int64_t i = i0 + r;
          double sum = 0.0;
          for (int64_t c = 0; c < columns; ++c) {
            const double logit = static_cast<double>(row[c]) + bias;
            sum += softplusOfNegative(first + i == j0 + c ? logit : -logit);
          }
          rowSum[i] += sum;
        }
      },
      [](int64_t, int64_t) {});
  double total = 0.0;
  for (double v : rowSum)
    total += v;
  return total;
}

/// The sigmoid loss's logit gradients, a tile at a time: a tile of
/// S = s x y^T becomes G = weight * -z / (1 + exp(z (S + bias))) in place
/// (the derivative of -log(sigmoid(z L)) times weight); with `partials`,
/// row i's sum(G * S) (the log-scale's gradient) and sum(G) (the bias's)
/// are added to partials[2 i], partials[2 i + 1].
void toSigmoidGradient(int64_t i0, int64_t rows, int64_t j0, int64_t columns,
                       int64_t first, float bias, float weight, float *t,
                       double *partials) {
  for (int64_t r = 0; r < rows; ++r) {
    float *row = t + r * columns;
    const int64_t i = i0 + r;
    double scaleSum = 0.0, biasSum = 0.0;
    for (int64_t c = 0; c < columns; ++c) {
      const double z = first + i == j0 + c ? 1.0 : -1.0;
      const double logit = static_cast<double>(row[c]) + bias;
      const double g = weight * -z / (1.0 + std::exp(z * logit));
      scaleSum += g * static_cast<double>(row[c]);
      biasSum += g;
      row[c] = static_cast<float>(g);
    }
    if (partials) {
      partials[2 * i] += scaleSum;
      partials[2 * i + 1] += biasSum;
    }
  }
}

/// dx = s G y (x's own rows, by row blocks) and dy += s G^T x (by column
/// blocks) for the sigmoid loss of x [m, d] against y [n, d]; the scale's
/// and bias's gradients added to *dscale, *dbias.
void sigmoidLossGradients(int64_t m, int64_t n, int64_t d, int64_t first,
                          float s, float bias, float weight, const float *x,
                          const float *y, float *dx, float *dy, double *dscale,
                          double *dbias) {
  std::vector<double> partials(static_cast<size_t>(2 * m), 0.0);
  forEachLogitTile(
      m, n, d, s, x, y,
      [&](int64_t i0, int64_t rows) {
        std::fill_n(dx + i0 * d, rows * d, 0.0f);
      },
      [&](int64_t i0, int64_t rows, int64_t j0, int64_t columns, float *t) {
        toSigmoidGradient(i0, rows, j0, columns, first, bias, weight, t,
                          partials.data());
        sgemm(false, false, rows, d, columns, s, t, columns, y + j0 * d, d,
              1.0f, dx + i0 * d, d);
      },
      [](int64_t, int64_t) {});
  for (int64_t i = 0; i < m; ++i) {
    *dscale += partials[2 * i];
    *dbias += partials[2 * i + 1];
  }
  walkLogitTiles(
      true, m, n, d, s, x, y, [](int64_t, int64_t) {},
      [&](int64_t i0, int64_t rows, int64_t j0, int64_t columns, float *t) {
        toSigmoidGradient(i0, rows, j0, columns, first, bias, weight, t,
                          nullptr);
        sgemm(true, false, columns, d, rows, s, t, columns, x + i0 * d, d, 1.0f,
              dy + j0 * d, d);
      },
      [](int64_t, int64_t) {});
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
      b(static_cast<size_t>(n * d)), diagonal(static_cast<size_t>(n));
  normalizeRows(n, d, image, epsilon, imageNorm, a.data());
  normalizeRows(n, d, text, epsilon, textNorm, b.data());
  // Rows of L = s a b^T, then its columns as the rows of L^T = s b a^T.
  logSumExpOfRows(n, n, d, s, a.data(), b.data(), 0, imageLse, diagonal.data());
  logSumExpOfRows(n, n, d, s, b.data(), a.data(), 0, textLse, nullptr);
  double imageTerm = 0.0, textTerm = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double diag = diagonal[i];
    imageTerm += static_cast<double>(imageLse[i]) - diag;
    textTerm += static_cast<double>(textLse[i]) - diag;
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
  // da = s dL b tile by tile (and the scale's per-row partials), then
  // db = s dL^T a from the tiles of L^T: each output row is written by one
  // work item, so no reduction across threads.
  std::vector<double> scalePartial(static_cast<size_t>(n));
  logitGradTimes(n, d, s, weight, a.data(), b.data(), imageLse, textLse, dimage,
                 scalePartial.data());
  logitGradTimes(n, d, s, weight, b.data(), a.data(), textLse, imageLse, dtext,
                 nullptr);
  double scaleGrad = 0.0;
  for (int64_t i = 0; i < n; ++i)
    scaleGrad += scalePartial[i];
  *dlogitScale = static_cast<float>(scaleGrad);

  throughNormalization(n, d, image, a.data(), imageNorm, epsilon, dimage);
  throughNormalization(n, d, text, b.data(), textNorm, epsilon, dtext);
}

void contrastiveLossShard(int64_t n, int64_t d, int64_t first, int64_t m,
                          const float *image, const float *text,
                          float logitScale, float epsilon, double *loss,
                          float *dimage, float *dtext, double *dlogitScale) {
  const float s = static_cast<float>(std::exp(static_cast<double>(logitScale)));
  const float weight = static_cast<float>(1.0 / (2.0 * static_cast<double>(m)));
  std::vector<float> a(static_cast<size_t>(n * d)),
      b(static_cast<size_t>(n * d)), imageNorm(static_cast<size_t>(n)),
      textNorm(static_cast<size_t>(n)), own(static_cast<size_t>(m * d));
  normalizeRows(n, d, image, epsilon, imageNorm.data(), a.data());
  normalizeRows(n, d, text, epsilon, textNorm.data(), b.data());
  std::fill_n(dimage, n * d, 0.0f);
  std::fill_n(dtext, n * d, 0.0f);
  *dlogitScale = 0.0;
  // Image rows against every text (their own rows' da into `own`, every
  // db), then text rows against every image.
  double term = shardDirection(m, n, d, first, s, weight, a.data() + first * d,
                               b.data(), own.data(), dtext, dlogitScale);
  for (int64_t k = 0; k < m * d; ++k)
    dimage[first * d + k] += own[k];
  term += shardDirection(m, n, d, first, s, weight, b.data() + first * d,
                         a.data(), own.data(), dimage, dlogitScale);
  for (int64_t k = 0; k < m * d; ++k)
    dtext[first * d + k] += own[k];
  *loss = term / (2.0 * static_cast<double>(m));
  throughNormalization(n, d, image, a.data(), imageNorm.data(), epsilon,
                       dimage);
  throughNormalization(n, d, text, b.data(), textNorm.data(), epsilon, dtext);
}


void sigmoidLoss(int64_t n, int64_t d, const float *image, const float *text,
                 const float *logitScale, const float *logitBias,
                 float epsilon, float *loss, float *imageNorm,
                 float *textNorm) {
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
  *loss = static_cast<float>(
      sigmoidLossSum(n, n, d, 0, s, *logitBias, a.data(), b.data()) /
      static_cast<double>(n));
}

void sigmoidLossGrad(int64_t n, int64_t d, const float *grad,
                     const float *image, const float *text,
                     const float *logitScale, const float *logitBias,
                     const float *imageNorm, const float *textNorm,
                     float epsilon, float *dimage, float *dtext,
                     float *dlogitScale, float *dlogitBias) {
  if (n <= 0) {
    *dlogitScale = *dlogitBias = 0.0f;
    return;
  }
  const float s =
      static_cast<float>(std::exp(static_cast<double>(*logitScale)));
  std::vector<float> a(static_cast<size_t>(n * d)),
      b(static_cast<size_t>(n * d));
  divideRows(n, d, image, imageNorm, a.data());
  divideRows(n, d, text, textNorm, b.data());
  std::fill_n(dtext, n * d, 0.0f);
  double dscale = 0.0, dbias = 0.0;
  sigmoidLossGradients(n, n, d, 0, s, *logitBias,
                       static_cast<float>(static_cast<double>(*grad) /
                                          static_cast<double>(n)),
                       a.data(), b.data(), dimage, dtext, &dscale, &dbias);
  *dlogitScale = static_cast<float>(dscale);
  *dlogitBias = static_cast<float>(dbias);
  throughNormalization(n, d, image, a.data(), imageNorm, epsilon, dimage);
  throughNormalization(n, d, text, b.data(), textNorm, epsilon, dtext);
}

void sigmoidLossShard(int64_t n, int64_t d, int64_t first, int64_t m,
                      const float *image, const float *text, float logitScale,
                      float logitBias, float epsilon, double *loss,
                      float *dimage, float *dtext, double *dlogitScale,
                      double *dlogitBias) {
  const float s = static_cast<float>(std::exp(static_cast<double>(logitScale)));
  std::vector<float> a(static_cast<size_t>(n * d)),
      b(static_cast<size_t>(n * d)), imageNorm(static_cast<size_t>(n)),
      textNorm(static_cast<size_t>(n));
  normalizeRows(n, d, image, epsilon, imageNorm.data(), a.data());
  normalizeRows(n, d, text, epsilon, textNorm.data(), b.data());
  std::fill_n(dimage, n * d, 0.0f);
  std::fill_n(dtext, n * d, 0.0f);
  *dlogitScale = *dlogitBias = 0.0;
  const float *own = a.data() + first * d;
  *loss = sigmoidLossSum(m, n, d, first, s, logitBias, own, b.data()) /
          static_cast<double>(m);
  sigmoidLossGradients(m, n, d, first, s, logitBias,
                       static_cast<float>(1.0 / static_cast<double>(m)), own,
                       b.data(), dimage + first * d, dtext, dlogitScale,
                       dlogitBias);
  throughNormalization(m, d, image + first * d, own, imageNorm.data() + first,
                       epsilon, dimage + first * d);
  throughNormalization(n, d, text, b.data(), textNorm.data(), epsilon, dtext);
}

} // namespace clip::cpu
