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
[[maybe_unused]] constexpr int kFlashThreads = 128;
[[maybe_unused]] constexpr int kFlashRows = 64;
/// Keys per tile.
[[maybe_unused]] constexpr int kFlashKeys = 64;

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
    for (int s = 0; s < kSteps; ++s)
      ldmatrix<4, false>(qa[s], sq + (warp * 16 + lane % 16) * D + s * 16 +
                                    8 * (lane / 16));
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
        for (int s = 0; s < kSteps; ++s) {
          unsigned kf[2];
          ldmatrix<2, false>(kf, sk + (n * 8 + lane % 8) * D + s * 16 +
                                     8 * ((lane / 8) % 2));
          mmaBf16(sc[n], qa[s], kf, sc[n]);
        }
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
        tileMax[h] =
            fmaxf(tileMax[h], __shfl_xor_sync(0xffffffffu, tileMax[h], 1));
        tileMax[h] =
            fmaxf(tileMax[h], __shfl_xor_sync(0xffffffffu, tileMax[h], 2));
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
      for (int s = 0; s < kFlashKeys / 16; ++s) {
        unsigned pa[4];
        for (int half = 0; half < 2; ++half) {
          const int n = 2 * s + half;
          float p[4];
          for (int e = 0; e < 4; ++e) {
            const float mh = m[e / 2];
            p[e] = sc[n][e] == negInf() ? 0.0f : expf(sc[n][e] - mh);
            l[e / 2] += p[e];
          }
          pa[2 * half] = packBf16(p[0], p[1]);     // row group
          pa[2 * half + 1] = packBf16(p[2], p[3]); // row group + 8
        }
        // O += P V: V is stored keys x d, B's K x N form (transposed load).
        for (int n = 0; n < kOutBlocks; ++n) {
          unsigned vf[2];
          ldmatrix<2, true>(
              vf, sv + (s * 16 + lane % 8 + 8 * ((lane / 8) % 2)) * D + n * 8);
          mmaBf16(o[n], pa, vf, o[n]);
        }
      }
    }
    // Row sums across the group's four lanes, then O / l and the lse.
    for (int h = 0; h < 2; ++h) {
      l[h] += __shfl_xor_sync(0xffffffffu, l[h], 1);
      l[h] += __shfl_xor_sync(0xffffffffu, l[h], 2);
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

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_FLASHATTENTION_CUH
