//===- Attention.cuh - Attention (CUDA device library) --------------------===//
//
// clip.attention: the forward (out and log-sum-exp), and the backward in
// two launches (attentionGradQuery per query row, attentionGradKeyValue
// per key row).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_ATTENTION_CUH
#define CLIP_RUNTIME_CUDA_ATTENTION_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

/// clip::cpu::attention for one query row per unit: a first pass over the
/// keys for the row's log-sum-exp (each thread an online max/sum over its
/// keys, combined in double), then chunks of blockDim.x keys: P in shared
/// memory, out += P V. Causal: query i sees keys j <= i. No keys: out 0,
/// lse -inf.
/// units: batch * lq, block-per-unit.
__device__ inline void attentionForward(i64 batch, i64 lq, i64 lk, i64 d,
                                        i64 dv, float scale, bool causal,
                                        const float *q, const float *k,
                                        const float *v, float *out,
                                        float *lse) {
  using namespace detail;
  __shared__ float p[kBlock];
  const i64 t = tid(), nt = nthreads();
  const i64 units = batch * lq;
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 b = u / lq, i = u % lq;
    const i64 visible = causal ? minI(i + 1, lk) : lk;
    const float *qi = q + u * d, *kb = k + b * lk * d, *vb = v + b * lk * dv;
    float max = negInf();
    double sum = 0.0;
    for (i64 j = t; j < visible; j += nt)
      lseAdd(max, sum, scale * dotF(qi, kb + j * d, d));
    sum = blockLse(max, sum);
    if (t == 0)
      lse[u] = visible > 0
                   ? static_cast<float>(static_cast<double>(max) + logD(sum))
                   : negInf();
    const float inv = static_cast<float>(1.0 / sum);
    const i64 chunks = maxI(1, ceilDiv(visible, nt));
    for (i64 c = 0; c < chunks; ++c) {
      const i64 j0 = c * nt, j = j0 + t;
      if (j < visible)
        p[t] = expf(scale * dotF(qi, kb + j * d, d) - max) * inv;
      accumulateRows(
          p, maxI(0, minI(nt, visible - j0)),
          [=](i64 r, i64 e) { return vb[(j0 + r) * dv + e]; }, dv, out + u * dv,
          c == 0, c == chunks - 1, 1.0f);
    }
  }
}

/// dq of clip::cpu::attentionGrad: dq_i = scale sum_j dS_ij k_j with
/// dS_ij = P_ij (dO_i . v_j - dO_i . O_i), P rebuilt from lse.
/// units: batch * lq, block-per-unit.
__device__ inline void attentionGradQuery(i64 batch, i64 lq, i64 lk, i64 d,
                                          i64 dv, float scale, bool causal,
                                          const float *grad, const float *q,
                                          const float *k, const float *v,
                                          const float *out, const float *lse,
                                          float *dq) {
  using namespace detail;
  __shared__ float ds[kBlock];
  const i64 t = tid(), nt = nthreads();
  const i64 units = batch * lq;
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 b = u / lq, i = u % lq;
    const i64 visible = causal ? minI(i + 1, lk) : lk;
    const float *qi = q + u * d, *gi = grad + u * dv, *kb = k + b * lk * d,
                *vb = v + b * lk * dv;
    const float rowDot =
        static_cast<float>(blockSum(dotPartial(gi, out + u * dv, dv)));
    const float l = lse[u];
    const i64 chunks = maxI(1, ceilDiv(visible, nt));
    for (i64 c = 0; c < chunks; ++c) {
      const i64 j0 = c * nt, j = j0 + t;
      if (j < visible) {
        const float pij = expf(scale * dotF(qi, kb + j * d, d) - l);
        ds[t] = pij * (dotF(gi, vb + j * dv, dv) - rowDot);
      }
      accumulateRows(
          ds, maxI(0, minI(nt, visible - j0)),
          [=](i64 r, i64 e) { return kb[(j0 + r) * d + e]; }, d, dq + u * d,
          c == 0, c == chunks - 1, scale);
    }
  }
}

/// dk and dv of clip::cpu::attentionGrad for one key row per unit:
/// dv_j = sum_i P_ij dO_i, dk_j = scale sum_i dS_ij q_i (causal: i >= j).
/// Each query's dO_i . O_i is recomputed per key (no scratch).
/// units: batch * lk, block-per-unit.
__device__ inline void attentionGradKeyValue(i64 batch, i64 lq, i64 lk, i64 d,
                                             i64 dv, float scale, bool causal,
                                             const float *grad, const float *q,
                                             const float *k, const float *v,
                                             const float *out, const float *lse,
                                             float *dk, float *dvOut) {
  using namespace detail;
  __shared__ float p[kBlock];
  __shared__ float ds[kBlock];
  const i64 t = tid(), nt = nthreads();
  const i64 units = batch * lk;
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 b = u / lk, j = u % lk;
    const i64 begin = causal ? j : 0;
    const i64 count = maxI(0, lq - begin);
    const float *kj = k + u * d, *vj = v + u * dv;
    const float *qb = q + (b * lq + begin) * d,
                *gb = grad + (b * lq + begin) * dv,
                *ob = out + (b * lq + begin) * dv, *lb = lse + b * lq + begin;
    const i64 chunks = maxI(1, ceilDiv(count, nt));
    for (i64 c = 0; c < chunks; ++c) {
      const i64 r0 = c * nt, r = r0 + t;
      if (r < count) {
        const float *gi = gb + r * dv, *oi = ob + r * dv;
        double rowDot = 0.0;
        for (i64 e = 0; e < dv; ++e)
          rowDot += static_cast<double>(gi[e]) * static_cast<double>(oi[e]);
        const float pij = expf(scale * dotF(qb + r * d, kj, d) - lb[r]);
        p[t] = pij;
        ds[t] = pij * (dotF(gi, vj, dv) - static_cast<float>(rowDot));
      }
      const i64 n = maxI(0, minI(nt, count - r0));
      accumulateRows(
          p, n, [=](i64 row, i64 e) { return gb[(r0 + row) * dv + e]; }, dv,
          dvOut + u * dv, c == 0, c == chunks - 1, 1.0f);
      accumulateRows(
          ds, n, [=](i64 row, i64 e) { return qb[(r0 + row) * d + e]; }, d,
          dk + u * d, c == 0, c == chunks - 1, scale);
    }
  }
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_ATTENTION_CUH
