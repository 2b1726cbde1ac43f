//===- FlashAttention.cuh - Attention on tensor cores (CUDA library) ------===//
//
// clip.attention in bf16 storage, FlashAttention-2's way: a block of four
// warps takes 64 query rows, each warp 16 of them; key and value tiles of
// 64 rows go through shared memory (cp.async), S = Q K^T and O += P V run
// as mma.sync m16n8k16 (bf16 in, f32 accumulation), the softmax is online
// (running row max and sum in f32, O rescaled as the max grows), and P
// stays in registers: the accumulator layout of S is, two n-blocks at a
// time, the A-operand layout of P V. The log-sum-exp of every row is saved
// for the backward. Causal: query i sees keys j <= i. Any lengths: tiles
// past the end are zero-filled and masked.
//
// Numerics against clip::cpu::attention on the same (bf16) inputs: the
// scores are exact products summed in f32, the row sums are f32; P is
// rounded to bf16 for P V, as FlashAttention does, and the output to bf16
// once.
//
// Launch: blockDim.x == kFlashThreads (four warps); units batch *
// ceil(lq / kFlashRows), block-per-unit. Rows of q, k, v are 16-byte
// aligned (D a multiple of 8, buffers 16-byte aligned).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_FLASHATTENTION_CUH
#define CLIP_RUNTIME_CUDA_FLASHATTENTION_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Warp.cuh"
#endif

namespace clip::cuda {

/// Threads of a flash-attention block (four warps) and its query rows.
[[maybe_unused]] constexpr int kFlashThreads = kernels::kFlashThreads;
[[maybe_unused]] constexpr int kFlashRows = kernels::kFlashRows;
/// Keys per tile.
[[maybe_unused]] constexpr int kFlashKeys = kernels::kFlashRows;

namespace detail {

/// rows x D bf16 from `src` (row stride D) into shared `dst` (rows x D):
/// rows at or past `valid` are zeros. 16 bytes a copy, the block's threads
/// striding over them; committed as one cp.async group.
template <int D>
__device__ inline void loadTile(clip::bf16 *dst, const clip::bf16 *src,
                                i64 rows, i64 valid) {
  constexpr int kChunks = D / 8; // 16-byte pieces per row
  for (i64 c = tid(); c < rows * kChunks; c += nthreads()) {
    const i64 r = c / kChunks, piece = c % kChunks;
    clip::bf16 *to = dst + r * D + piece * 8;
    if (r < valid) {
      cpAsync16(to, src + r * D + piece * 8);
    } else {
      const uint4 zero = {0u, 0u, 0u, 0u};
      store8(to, zero);
    }
  }
  cpAsyncCommit();
}

/// Two accumulator n-blocks (columns 8c..8c+15 of a 16-row tile, C
/// layout) as the A fragment of one k-step: by the PTX ISA's layouts, c0 c1
/// of n-block 2s are a0 a1, c2 c3 are a2 a3, and n-block 2s + 1 gives a4..a7.
__device__ inline void accumulatorsToA(const float lo[4], const float hi[4],
                                       unsigned a[4]) {
  a[0] = packBf16(lo[0], lo[1]);
  a[1] = packBf16(lo[2], lo[3]);
  a[2] = packBf16(hi[0], hi[1]);
  a[3] = packBf16(hi[2], hi[3]);
}

/// This warp's 16 rows (warp * 16 + 0..15) of a row-major shared tile
/// with row length D, as the A fragments of its D / 16 k-steps.
template <int D>
__device__ inline void loadRowsA(const clip::bf16 *tile, unsigned a[][4]) {
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  for (int s = 0; s < D / 16; ++s)
    ldmatrix<4, false>(a[s], tile + (warp * 16 + lane % 16) * D + s * 16 +
                                 8 * (lane / 16));
}

/// acc (16 x 8) += A (16 x D, the fragments of loadRowsA) times the
/// transpose of rows 8n..8n+7 of a row-major shared tile with row length D
/// (stored N x K, B's column-major form: plain loads): one n-block of
/// A tile^T, such as S = Q K^T.
template <int D>
__device__ inline void productTransposed(float acc[4], const unsigned a[][4],
                                         const clip::bf16 *tile, int n) {
  const unsigned lane = threadIdx.x % 32;
  for (int s = 0; s < D / 16; ++s) {
    unsigned b[2];
    ldmatrix<2, false>(b, tile + (n * 8 + lane % 8) * D + s * 16 +
                              8 * ((lane / 8) % 2));
    mmaBf16(acc, a[s], b, acc);
  }
}

/// acc (16 x D) += P (16 x 64, eight accumulator n-blocks, rounded to bf16)
/// times a 64 x D row-major shared tile (stored K x N: transposed loads),
/// such as O += P V.
template <int D>
__device__ inline void productWithTile(float acc[][4], const float p[][4],
                                       const clip::bf16 *tile) {
  const unsigned lane = threadIdx.x % 32;
  for (int s = 0; s < kFlashKeys / 16; ++s) {
    unsigned a[4];
    accumulatorsToA(p[2 * s], p[2 * s + 1], a);
    for (int n = 0; n < D / 8; ++n) {
      unsigned b[2];
      ldmatrix<2, true>(
          b, tile + (s * 16 + lane % 8 + 8 * ((lane / 8) % 2)) * D + n * 8);
      mmaBf16(acc[n], a, b, acc[n]);
    }
  }
}

/// Per row of a 64 x D tile pair (in shared memory): dO . O in f32, the
/// backward's D_i; threads stride over the rows.
template <int D>
__device__ inline void rowDots(const clip::bf16 *dout, const clip::bf16 *out,
                               float *dots) {
  for (i64 r = tid(); r < kFlashRows; r += nthreads()) {
    float sum = 0.0f;
    for (int e = 0; e < D; ++e)
      sum += static_cast<float>(dout[r * D + e]) *
             static_cast<float>(out[r * D + e]);
    dots[r] = sum;
  }
}

} // namespace detail

/// out [batch, lq, D] (bf16) and lse [batch, lq] (f32) of softmax(scale q
/// k^T, causal) v for q [batch, lq, D], k and v [batch, lk, D], all bf16.
/// No keys (lk == 0): out 0, lse -inf. D: 32, 64 or 128.
template <int D>
__device__ inline void
flashAttentionForward(i64 batch, i64 lq, i64 lk, float scale, bool causal,
                      const clip::bf16 *q, const clip::bf16 *k,
                      const clip::bf16 *v, clip::bf16 *out, float *lse) {
  static_assert(D % 16 == 0 && D <= 128, "head dimension: 16, 32, ..., 128");
  using namespace detail;
  __shared__ __align__(16) clip::bf16 sq[kFlashRows * D];
  __shared__ __align__(16) clip::bf16 sk[kFlashKeys * D];
  __shared__ __align__(16) clip::bf16 sv[kFlashKeys * D];
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const unsigned group = lane >> 2, tig = lane % 4; // the PTX ISA's names
  const i64 tilesQ = ceilDiv(lq, kFlashRows);
  const i64 units = batch * tilesQ;
  constexpr int kSteps = D / 16;             // k-steps of Q K^T
  constexpr int kKeyBlocks = kFlashKeys / 8; // n-blocks of S
  constexpr int kOutBlocks = D / 8;          // n-blocks of O
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 b = u / tilesQ, q0 = (u % tilesQ) * kFlashRows;
    const clip::bf16 *kb = k + b * lk * D, *vb = v + b * lk * D;
    __syncthreads(); // the previous unit's last reads of the tiles
    loadTile<D>(sq, q + (b * lq + q0) * D, kFlashRows, lq - q0);
    cpAsyncWait<0>();
    __syncthreads();
    // This warp's 16 query rows as A fragments, one per k-step.
    unsigned qa[kSteps][4];
    loadRowsA<D>(sq, qa);
    // Rows group and group + 8 of the warp's 16: running max, sum, O.
    const i64 row[2] = {q0 + warp * 16 + group, q0 + warp * 16 + group + 8};
    float m[2] = {negInf(), negInf()}, l[2] = {0.0f, 0.0f};
    float o[kOutBlocks][4];
    for (int n = 0; n < kOutBlocks; ++n)
      for (int e = 0; e < 4; ++e)
        o[n][e] = 0.0f;
    // Keys past the last row of this block's queries are never visible.
    const i64 lastRow = minI(q0 + kFlashRows, lq) - 1;
    const i64 keys = causal ? minI(lk, lastRow + 1) : lk;
    for (i64 k0 = 0; k0 < keys; k0 += kFlashKeys) {
      __syncthreads(); // every warp is done with the last tiles
      loadTile<D>(sk, kb + k0 * D, kFlashKeys, lk - k0);
      loadTile<D>(sv, vb + k0 * D, kFlashKeys, lk - k0);
      cpAsyncWait<0>();
      __syncthreads();
      // S = Q K^T for 64 keys: K is stored keys x d, B's N x K form.
      float sc[kKeyBlocks][4];
      for (int n = 0; n < kKeyBlocks; ++n) {
        for (int e = 0; e < 4; ++e)
          sc[n][e] = 0.0f;
        productTransposed<D>(sc[n], qa, sk, n);
      }
      // Scale, mask, and the online softmax of rows group, group + 8.
      float tileMax[2] = {negInf(), negInf()};
      for (int n = 0; n < kKeyBlocks; ++n)
        for (int e = 0; e < 4; ++e) {
          const i64 j = k0 + n * 8 + 2 * tig + (e % 2), i = row[e / 2];
          const bool visible = j < lk && (!causal || j <= i);
          sc[n][e] = visible ? sc[n][e] * scale : negInf();
          tileMax[e / 2] = fmaxf(tileMax[e / 2], sc[n][e]);
        }
      float rescale[2];
      for (int h = 0; h < 2; ++h) {
        // The four lanes of a group hold a row's 64 columns.
        tileMax[h] = groupMax(tileMax[h]);
        const float next = fmaxf(m[h], tileMax[h]);
        // A row that has seen no key yet keeps max -inf: nothing to scale.
        rescale[h] = next == negInf() ? 1.0f : expf(m[h] - next);
        m[h] = next;
        l[h] *= rescale[h];
      }
      for (int n = 0; n < kOutBlocks; ++n)
        for (int e = 0; e < 4; ++e)
          o[n][e] *= rescale[e / 2];
      // P = exp(S - m) as bf16 A fragments (two key n-blocks a k-step); l
      // sums the f32 values, as FlashAttention-2 does, so the lse the
      // backward rebuilds P from is the f32 one.
      for (int n = 0; n < kKeyBlocks; ++n)
        for (int e = 0; e < 4; ++e) {
          sc[n][e] = sc[n][e] == negInf() ? 0.0f : expf(sc[n][e] - m[e / 2]);
          l[e / 2] += sc[n][e];
        }
      // O += P V (V stored keys x d: transposed loads).
      productWithTile<D>(o, sc, sv);
    }
    // Row sums across the group's four lanes, then O / l and the lse.
    for (int h = 0; h < 2; ++h) {
      l[h] = groupSum(l[h]);
    }
    for (int h = 0; h < 2; ++h) {
      if (row[h] >= lq)
        continue;
      const float inv = l[h] > 0.0f ? 1.0f / l[h] : 0.0f;
      clip::bf16 *dst = out + (b * lq + row[h]) * D;
      for (int n = 0; n < kOutBlocks; ++n) {
        const i64 c = n * 8 + 2 * tig;
        dst[c] = clip::bf16(o[n][2 * h] * inv);
        dst[c + 1] = clip::bf16(o[n][2 * h + 1] * inv);
      }
      if (tig == 0)
        lse[b * lq + row[h]] = l[h] > 0.0f ? m[h] + logf(l[h]) : negInf();
    }
  }
}

/// dq [batch, lq, D] (bf16) of flashAttentionForward, for a query tile
/// per unit: dq_i = scale sum_j dS_ij k_j, dS_ij = P_ij (dO_i . v_j - D_i),
/// P_ij = exp(scale q_i . k_j - lse_i) rebuilt from the saved lse, D_i =
/// dO_i . O_i. dS is rounded to bf16 for dS K. Each query row is summed by
/// one warp in key order: deterministic, no atomics. D: 16..64.
/// units: batch * ceil(lq / kFlashRows), block-per-unit, kFlashThreads.
template <int D>
__device__ inline void flashAttentionGradQuery(
    i64 batch, i64 lq, i64 lk, float scale, bool causal, const clip::bf16 *grad,
    const clip::bf16 *q, const clip::bf16 *k, const clip::bf16 *v,
    const clip::bf16 *out, const float *lse, clip::bf16 *dq) {
  static_assert(D % 16 == 0 && D <= 64, "head dimension: 16, 32, 48, 64");
  using namespace detail;
  __shared__ __align__(16) clip::bf16 sq[kFlashRows * D];
  __shared__ __align__(16) clip::bf16 sdo[kFlashRows * D];
  __shared__ __align__(16) clip::bf16 so[kFlashRows * D];
  __shared__ __align__(16) clip::bf16 sk[kFlashKeys * D];
  __shared__ __align__(16) clip::bf16 sv[kFlashKeys * D];
  __shared__ float sdots[kFlashRows];
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const unsigned group = lane >> 2, tig = lane % 4;
  const i64 tilesQ = ceilDiv(lq, kFlashRows);
  const i64 units = batch * tilesQ;
  constexpr int kSteps = D / 16, kKeyBlocks = kFlashKeys / 8,
                kOutBlocks = D / 8;
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 b = u / tilesQ, q0 = (u % tilesQ) * kFlashRows;
    const clip::bf16 *kb = k + b * lk * D, *vb = v + b * lk * D;
    __syncthreads();
    const i64 rows = lq - q0;
    loadTile<D>(sq, q + (b * lq + q0) * D, kFlashRows, rows);
    loadTile<D>(sdo, grad + (b * lq + q0) * D, kFlashRows, rows);
    loadTile<D>(so, out + (b * lq + q0) * D, kFlashRows, rows);
    cpAsyncWait<0>();
    __syncthreads();
    rowDots<D>(sdo, so, sdots);
    __syncthreads();
    unsigned qa[kSteps][4], ga[kSteps][4];
    loadRowsA<D>(sq, qa);
    loadRowsA<D>(sdo, ga);
    const i64 local[2] = {warp * 16 + group, warp * 16 + group + 8};
    const i64 row[2] = {q0 + local[0], q0 + local[1]};
    float rowLse[2], rowDot[2];
    for (int h = 0; h < 2; ++h) {
      rowLse[h] = row[h] < lq ? lse[b * lq + row[h]] : 0.0f;
      rowDot[h] = sdots[local[h]];
    }
    float acc[kOutBlocks][4];
    for (int n = 0; n < kOutBlocks; ++n)
      for (int e = 0; e < 4; ++e)
        acc[n][e] = 0.0f;
    const i64 lastRow = minI(q0 + kFlashRows, lq) - 1;
    const i64 keys = causal ? minI(lk, lastRow + 1) : lk;
    for (i64 k0 = 0; k0 < keys; k0 += kFlashKeys) {
      __syncthreads();
      loadTile<D>(sk, kb + k0 * D, kFlashKeys, lk - k0);
      loadTile<D>(sv, vb + k0 * D, kFlashKeys, lk - k0);
      cpAsyncWait<0>();
      __syncthreads();
      // S = Q K^T and dP = dO V^T (K and V stored keys x d: B's N x K).
      float ds[kKeyBlocks][4];
      for (int n = 0; n < kKeyBlocks; ++n) {
        float sc[4] = {0, 0, 0, 0}, dp[4] = {0, 0, 0, 0};
        productTransposed<D>(sc, qa, sk, n);
        productTransposed<D>(dp, ga, sv, n);
        for (int e = 0; e < 4; ++e) {
          const i64 j = k0 + n * 8 + 2 * tig + (e % 2), i = row[e / 2];
          const bool visible = i < lq && j < lk && (!causal || j <= i);
          const float p = visible ? expf(sc[e] * scale - rowLse[e / 2]) : 0.0f;
          ds[n][e] = p * (dp[e] - rowDot[e / 2]);
        }
      }
      // dQ += dS K (K stored keys x d: B's K x N form, transposed load).
      productWithTile<D>(acc, ds, sk);
    }
    for (int h = 0; h < 2; ++h) {
      if (row[h] >= lq)
        continue;
      clip::bf16 *dst = dq + (b * lq + row[h]) * D;
      for (int n = 0; n < kOutBlocks; ++n) {
        dst[n * 8 + 2 * tig] = clip::bf16(acc[n][2 * h] * scale);
        dst[n * 8 + 2 * tig + 1] = clip::bf16(acc[n][2 * h + 1] * scale);
      }
    }
  }
}

/// dk and dv [batch, lk, D] (bf16) of flashAttentionForward, for a key
/// tile per unit (each warp 16 keys): dv_j = sum_i P_ij dO_i, dk_j = scale
/// sum_i dS_ij q_i over the queries that see key j, in query order (P and
/// dS rounded to bf16 for the products): deterministic, no atomics.
/// D: 16..64. units: batch * ceil(lk / kFlashKeys), block-per-unit,
/// kFlashThreads.
template <int D>
__device__ inline void flashAttentionGradKeyValue(
    i64 batch, i64 lq, i64 lk, float scale, bool causal, const clip::bf16 *grad,
    const clip::bf16 *q, const clip::bf16 *k, const clip::bf16 *v,
    const clip::bf16 *out, const float *lse, clip::bf16 *dk, clip::bf16 *dv) {
  static_assert(D % 16 == 0 && D <= 64, "head dimension: 16, 32, 48, 64");
  using namespace detail;
  __shared__ __align__(16) clip::bf16 sq[kFlashRows * D];
  __shared__ __align__(16) clip::bf16 sdo[kFlashRows * D];
  __shared__ __align__(16) clip::bf16 so[kFlashRows * D];
  __shared__ __align__(16) clip::bf16 sk[kFlashKeys * D];
  __shared__ __align__(16) clip::bf16 sv[kFlashKeys * D];
  __shared__ float sdots[kFlashRows], slse[kFlashRows];
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const unsigned group = lane >> 2, tig = lane % 4;
  const i64 tilesK = ceilDiv(lk, kFlashKeys);
  const i64 units = batch * tilesK;
  constexpr int kSteps = D / 16, kQueryBlocks = kFlashRows / 8,
                kOutBlocks = D / 8;
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 b = u / tilesK, k0 = (u % tilesK) * kFlashKeys;
    __syncthreads();
    loadTile<D>(sk, k + (b * lk + k0) * D, kFlashKeys, lk - k0);
    loadTile<D>(sv, v + (b * lk + k0) * D, kFlashKeys, lk - k0);
    cpAsyncWait<0>();
    __syncthreads();
    // This warp's 16 keys as A fragments of S^T = K Q^T and dP^T = V dO^T.
    unsigned ka[kSteps][4], va[kSteps][4];
    loadRowsA<D>(sk, ka);
    loadRowsA<D>(sv, va);
    const i64 key[2] = {k0 + warp * 16 + group, k0 + warp * 16 + group + 8};
    float dkAcc[kOutBlocks][4], dvAcc[kOutBlocks][4];
    for (int n = 0; n < kOutBlocks; ++n)
      for (int e = 0; e < 4; ++e)
        dkAcc[n][e] = dvAcc[n][e] = 0.0f;
    // Causal: queries before this tile's first key see none of its keys.
    const i64 first = causal ? k0 / kFlashRows * kFlashRows : 0;
    for (i64 q0 = first; q0 < lq; q0 += kFlashRows) {
      __syncthreads();
      const i64 rows = lq - q0;
      loadTile<D>(sq, q + (b * lq + q0) * D, kFlashRows, rows);
      loadTile<D>(sdo, grad + (b * lq + q0) * D, kFlashRows, rows);
      loadTile<D>(so, out + (b * lq + q0) * D, kFlashRows, rows);
      cpAsyncWait<0>();
      __syncthreads();
      rowDots<D>(sdo, so, sdots);
      for (i64 r = tid(); r < kFlashRows; r += nthreads())
        slse[r] = q0 + r < lq ? lse[b * lq + q0 + r] : 0.0f;
      __syncthreads();
      // P^T and dS^T, 16 keys x 64 queries (Q and dO stored queries x d:
      // B's N x K form).
      float pt[kQueryBlocks][4], dst[kQueryBlocks][4];
      for (int n = 0; n < kQueryBlocks; ++n) {
        float sc[4] = {0, 0, 0, 0}, dp[4] = {0, 0, 0, 0};
        productTransposed<D>(sc, ka, sq, n);
        productTransposed<D>(dp, va, sdo, n);
        for (int e = 0; e < 4; ++e) {
          const i64 c = n * 8 + 2 * tig + (e % 2), i = q0 + c, j = key[e / 2];
          const bool visible = i < lq && j < lk && (!causal || j <= i);
          pt[n][e] = visible ? expf(sc[e] * scale - slse[c]) : 0.0f;
          dst[n][e] = pt[n][e] * (dp[e] - sdots[c]);
        }
      }
      // dV += P^T dO and dK += dS^T Q (stored queries x d: B's K x N).
      productWithTile<D>(dvAcc, pt, sdo);
      productWithTile<D>(dkAcc, dst, sq);
    }
    for (int h = 0; h < 2; ++h) {
      if (key[h] >= lk)
        continue;
      clip::bf16 *toK = dk + (b * lk + key[h]) * D,
                 *toV = dv + (b * lk + key[h]) * D;
      for (int n = 0; n < kOutBlocks; ++n)
        for (int x = 0; x < 2; ++x) {
          toK[n * 8 + 2 * tig + x] = clip::bf16(dkAcc[n][2 * h + x] * scale);
          toV[n * 8 + 2 * tig + x] = clip::bf16(dvAcc[n][2 * h + x]);
        }
    }
  }
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_FLASHATTENTION_CUH
