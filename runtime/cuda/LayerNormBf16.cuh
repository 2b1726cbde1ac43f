//===- LayerNormBf16.cuh - LayerNorm on bf16 rows (CUDA library) ----------===//
//
// clip.layer_norm, clip.add_layer_norm and their gradient for bf16
// activations (f32 weight, bias, statistics and parameter gradients): a
// warp a row, each lane holding 8-wide vectors of it in registers (one
// 16-byte load per vector, the row read once), statistics by butterfly
// shuffles in f32 (no shared memory, no block barrier). The parameter
// gradients in two stages: a block sums kParamRows rows into an f32
// partial per column (scratch), then each column's partials are added in
// double in chunk order: deterministic, no atomics.
//
// Rows hold `cols` values, a multiple of 8 and at most 256 V (V vectors a
// lane); rows and the f32 parameter arrays are 16-byte aligned.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_LAYERNORMBF16_CUH
#define CLIP_RUNTIME_CUDA_LAYERNORMBF16_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Warp.cuh"
#endif

namespace clip::cuda {

/// Threads of a warp-per-row block; rows a parameter-gradient chunk sums.
[[maybe_unused]] constexpr int kRowThreads = kernels::kRowThreads;
[[maybe_unused]] constexpr int kParamRows = kernels::kParamRows;

namespace detail {

/// Whether this lane's vector k of a row lies inside its `cols` values.
__device__ inline bool vectorInRow(int k, unsigned lane, i64 cols) {
  return (static_cast<i64>(k) * 32 + lane) * 8 < cols;
}

/// A bf16 row as f32: vector k (8 values) of this lane is columns
/// (32 k + lane) * 8 ..; vectors past the row are zeros.
template <int V>
__device__ inline void loadRow(float v[V][8], const clip::bf16 *row, i64 cols,
                               unsigned lane) {
  for (int k = 0; k < V; ++k) {
    uint4 w = {0u, 0u, 0u, 0u};
    if (vectorInRow(k, lane, cols))
      w = load8(row + (static_cast<i64>(k) * 32 + lane) * 8);
    unpackBf16(w.x, v[k][0], v[k][1]);
    unpackBf16(w.y, v[k][2], v[k][3]);
    unpackBf16(w.z, v[k][4], v[k][5]);
    unpackBf16(w.w, v[k][6], v[k][7]);
  }
}

/// Rounds this lane's vectors to bf16 into `row` (16-byte stores).
template <int V>
__device__ inline void storeRow(clip::bf16 *row, const float v[V][8], i64 cols,
                                unsigned lane) {
  for (int k = 0; k < V; ++k)
    if (vectorInRow(k, lane, cols)) {
      const uint4 w = {packBf16(v[k][0], v[k][1]), packBf16(v[k][2], v[k][3]),
                       packBf16(v[k][4], v[k][5]), packBf16(v[k][6], v[k][7])};
      store8(row + (static_cast<i64>(k) * 32 + lane) * 8, w);
    }
}

/// Eight f32 values at `p` (32-byte aligned: two 16-byte loads).
__device__ inline void load8f(const float *p, float out[8]) {
  const float4 a = load4(p), b = load4(p + 4);
  out[0] = a.x, out[1] = a.y, out[2] = a.z, out[3] = a.w;
  out[4] = b.x, out[5] = b.y, out[6] = b.z, out[7] = b.w;
}

} // namespace detail

/// clip::cpu::layerNorm on bf16 rows: with `residual`, the input is
/// x + residual (in f32), also written to `stream` (rounded); out rounded
/// once; mean/rstd [rows] f32.
/// units: ceil(rows / (blockDim.x / 32)), block-per-unit, kRowThreads (any
/// multiple of 32).
template <int V>
__device__ inline void
layerNormForwardBf16(i64 rows, i64 cols, const clip::bf16 *x,
                     const clip::bf16 *residual, clip::bf16 *stream,
                     const float *weight, const float *bias, float epsilon,
                     clip::bf16 *out, float *mean, float *rstd) {
  using namespace detail;
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const i64 warps = nthreads() / 32;
  for (i64 u = blockIdx.x; u < ceilDiv(rows, warps); u += gridDim.x) {
    const i64 r = u * warps + warp;
    if (r >= rows) // the whole warp: its collectives stay converged
      continue;
    float v[V][8];
    loadRow<V>(v, x + r * cols, cols, lane);
    if (residual) {
      float w[V][8];
      loadRow<V>(w, residual + r * cols, cols, lane);
      for (int k = 0; k < V; ++k)
        for (int e = 0; e < 8; ++e)
          v[k][e] += w[k][e];
      storeRow<V>(stream + r * cols, v, cols, lane);
    }
    float sum = 0.0f;
    for (int k = 0; k < V; ++k)
      for (int e = 0; e < 8; ++e)
        sum += v[k][e];
    const float m = warpSum(sum) / static_cast<float>(cols);
    float squares = 0.0f;
    for (int k = 0; k < V; ++k)
      if (vectorInRow(k, lane, cols))
        for (int e = 0; e < 8; ++e)
          squares += (v[k][e] - m) * (v[k][e] - m);
    const float s =
        1.0f / sqrtf(warpSum(squares) / static_cast<float>(cols) + epsilon);
    for (int k = 0; k < V; ++k) {
      if (!vectorInRow(k, lane, cols))
        continue;
      const i64 c = (static_cast<i64>(k) * 32 + lane) * 8;
      float w[8], b[8];
      load8f(weight + c, w);
      load8f(bias + c, b);
      for (int e = 0; e < 8; ++e)
        v[k][e] = (v[k][e] - m) * s * w[e] + b[e];
    }
    storeRow<V>(out + r * cols, v, cols, lane);
    if (lane == 0) {
      mean[r] = m;
      rstd[r] = s;
    }
  }
}

/// dx of clip::cpu::layerNormGrad on bf16 rows (dy, x in; dx out).
/// units: ceil(rows / (blockDim.x / 32)), block-per-unit, kRowThreads.
template <int V>
__device__ inline void
layerNormGradInputBf16(i64 rows, i64 cols, const clip::bf16 *grad,
                       const clip::bf16 *x, const float *mean,
                       const float *rstd, const float *weight, clip::bf16 *dx) {
  using namespace detail;
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const i64 warps = nthreads() / 32;
  for (i64 u = blockIdx.x; u < ceilDiv(rows, warps); u += gridDim.x) {
    const i64 r = u * warps + warp;
    if (r >= rows)
      continue;
    float dy[V][8], xhat[V][8];
    loadRow<V>(dy, grad + r * cols, cols, lane);
    loadRow<V>(xhat, x + r * cols, cols, lane);
    const float m = mean[r], s = rstd[r];
    float sumDxhat = 0.0f, sumDxhatXhat = 0.0f;
    for (int k = 0; k < V; ++k) {
      if (!vectorInRow(k, lane, cols))
        continue;
      float w[8];
      load8f(weight + (static_cast<i64>(k) * 32 + lane) * 8, w);
      for (int e = 0; e < 8; ++e) {
        xhat[k][e] = (xhat[k][e] - m) * s;
        dy[k][e] *= w[e]; // dxhat from here on
        sumDxhat += dy[k][e];
        sumDxhatXhat += dy[k][e] * xhat[k][e];
      }
    }
    const float meanDxhat = warpSum(sumDxhat) / static_cast<float>(cols);
    const float meanDxhatXhat =
        warpSum(sumDxhatXhat) / static_cast<float>(cols);
    for (int k = 0; k < V; ++k)
      for (int e = 0; e < 8; ++e)
        dy[k][e] = s * (dy[k][e] - meanDxhat - xhat[k][e] * meanDxhatXhat);
    storeRow<V>(dx + r * cols, dy, cols, lane);
  }
}

/// Stage 1 of dweight and dbias: partial [chunks, 2, cols] f32 (chunk u's
/// sums of dy * xhat, then of dy, over rows u * kParamRows ..), each
/// thread summing 8 adjacent columns down the chunk's rows.
/// units: chunks = ceil(rows / kParamRows), block-per-unit (any block).
__device__ inline void
layerNormGradParamsPartialBf16(i64 rows, i64 cols, const clip::bf16 *grad,
                               const clip::bf16 *x, const float *mean,
                               const float *rstd, float *partial) {
  using namespace detail;
  const i64 chunks = ceilDiv(rows, kParamRows);
  for (i64 u = blockIdx.x; u < chunks; u += gridDim.x) {
    const i64 r0 = u * kParamRows, r1 = minI(rows, r0 + kParamRows);
    for (i64 c = tid() * 8; c < cols; c += nthreads() * 8) {
      float sw[8] = {}, sb[8] = {};
      for (i64 r = r0; r < r1; ++r) {
        const uint4 g = load8(grad + r * cols + c),
                    xv = load8(x + r * cols + c);
        const unsigned gw[4] = {g.x, g.y, g.z, g.w},
                       xw[4] = {xv.x, xv.y, xv.z, xv.w};
        const float m = mean[r], s = rstd[r];
        for (int h = 0; h < 4; ++h) {
          float dy[2], xs[2];
          unpackBf16(gw[h], dy[0], dy[1]);
          unpackBf16(xw[h], xs[0], xs[1]);
          for (int e = 0; e < 2; ++e) {
            sw[2 * h + e] += dy[e] * ((xs[e] - m) * s);
            sb[2 * h + e] += dy[e];
          }
        }
      }
      float *to = partial + u * 2 * cols + c;
      for (int e = 0; e < 8; ++e) {
        to[e] = sw[e];
        to[cols + e] = sb[e];
      }
    }
  }
}

/// Stage 2: dweight[c] and dbias[c], the chunks' partials added in double
/// in chunk order.
/// units: 2 * cols, thread-per-unit.
__device__ inline void layerNormGradParamsSum(i64 chunks, i64 cols,
                                              const float *partial,
                                              float *dweight, float *dbias) {
  using namespace detail;
  for (i64 i = firstThread(); i < 2 * cols; i += allThreads()) {
    double total = 0.0;
    for (i64 u = 0; u < chunks; ++u)
      total += static_cast<double>(partial[u * 2 * cols + i]);
    (i < cols ? dweight[i] : dbias[i - cols]) = static_cast<float>(total);
  }
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_LAYERNORMBF16_CUH
