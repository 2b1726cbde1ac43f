//===- CudaKernels.cuh - Device kernels of the CUDA target -----------------===//
//
// The CUDA backend's kernel library (everything but GEMMs, which are
// cuBLASLt's). `clipc --target cuda` emits, per model function, one CUDA C++
// unit that NVRTC compiles at run time: the text of
// runtime/kernels/ScalarMath.h, then this header, then one
// `extern "C" __global__` kernel per launch whose body calls one function
// below with constant shapes and arena pointers.
//
// Rules of this file (docs/cuda-kernels.md):
//  - It #includes nothing (NVRTC has no system headers here) and compiles
//    with `-std=c++17 --gpu-architecture=sm_90` without a warning. It also
//    compiles as host C++ under runtime/cuda/HostEmulation.h (the tests).
//  - Launches are 1-D: any gridDim.x >= 1, blockDim.x in [1, kBlock] (256 on
//    the GPU). Every function says its units: "block-per-unit" functions
//    loop `for (u = blockIdx.x; u < units; u += gridDim.x)` with the whole
//    block on one unit (grid = min(units, 65535)); "thread-per-unit" ones
//    loop grid-stride over threads (grid = min(ceil(units / 256), 65535)).
//  - Fixed-size __shared__ arrays only, no warp shuffles: block reductions
//    fold the upper half of the live threads onto the lower half, which is
//    correct for any blockDim.x and sums in a fixed order.
//  - Same math as runtime/cpu (CpuKernels.h): f32 data, i64 indices, long
//    sums in double where the CPU sums in double. No scratch memory: where
//    the CPU needs a global barrier, the op is split into phases (separate
//    launches, in the order given), which may use their outputs as scratch.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_CUDAKERNELS_CUH
#define CLIP_RUNTIME_CUDA_CUDAKERNELS_CUH

namespace clip::cuda {

using i64 = long long;

/// The largest block the functions support (and the GPU launch size).
constexpr int kBlock = 256;
/// Columns per unit of layerNormGradParams.
constexpr int kParamColumns = 4;

namespace detail {

__device__ inline i64 tid() { return static_cast<i64>(threadIdx.x); }
__device__ inline i64 nthreads() { return static_cast<i64>(blockDim.x); }
__device__ inline i64 firstThread() {
  return static_cast<i64>(blockIdx.x) * static_cast<i64>(blockDim.x) +
         static_cast<i64>(threadIdx.x);
}
__device__ inline i64 allThreads() {
  return static_cast<i64>(gridDim.x) * static_cast<i64>(blockDim.x);
}
__device__ inline i64 minI(i64 a, i64 b) { return a < b ? a : b; }
__device__ inline i64 maxI(i64 a, i64 b) { return a > b ? a : b; }
__device__ inline i64 ceilDiv(i64 a, i64 b) { return (a + b - 1) / b; }
__device__ inline float negInf() { return -__int_as_float(0x7f800000); }
__device__ inline float quietNan() { return __int_as_float(0x7fc00000); }
__device__ inline double logD(double x) { return log(x); }
__device__ inline double expD(double x) { return exp(x); }
__device__ inline double sqrtD(double x) { return sqrt(x); }

/// Sum of `v` over the block's threads; every thread gets the total. The
/// upper half of the n live values is folded onto the lower half
/// (ceil(n / 2) remain), so any blockDim.x in [1, kBlock] works and the
/// order of the additions is fixed. Ends with a barrier (reusable at once).
__device__ inline double blockSum(double v) {
  __shared__ double buf[kBlock];
  const i64 t = tid();
  buf[t] = v;
  __syncthreads();
  for (i64 n = nthreads(); n > 1;) {
    const i64 half = (n + 1) / 2;
    if (t + half < n)
      buf[t] += buf[t + half];
    __syncthreads();
    n = half;
  }
  const double total = buf[0];
  __syncthreads();
  return total;
}

/// Two block sums at once (one set of barriers).
__device__ inline void blockSum2(double &a, double &b) {
  __shared__ double bufA[kBlock];
  __shared__ double bufB[kBlock];
  const i64 t = tid();
  bufA[t] = a;
  bufB[t] = b;
  __syncthreads();
  for (i64 n = nthreads(); n > 1;) {
    const i64 half = (n + 1) / 2;
    if (t + half < n) {
      bufA[t] += bufA[t + half];
      bufB[t] += bufB[t + half];
    }
    __syncthreads();
    n = half;
  }
  a = bufA[0];
  b = bufB[0];
  __syncthreads();
}

/// NaN-propagating maximum over the block (clip::scalar::maxOf).
__device__ inline float blockMax(float v) {
  __shared__ float buf[kBlock];
  const i64 t = tid();
  buf[t] = v;
  __syncthreads();
  for (i64 n = nthreads(); n > 1;) {
    const i64 half = (n + 1) / 2;
    if (t + half < n)
      buf[t] = clip::scalar::maxOf(buf[t], buf[t + half]);
    __syncthreads();
    n = half;
  }
  const float total = buf[0];
  __syncthreads();
  return total;
}

/// Online log-sum-exp of one thread: `max` the largest value seen, `sum`
/// the sum of exp(value - max) in double. A NaN value makes the sum NaN.
__device__ inline void lseAdd(float &max, double &sum, float v) {
  if (v > max) {
    sum = sum * expD(static_cast<double>(max) - static_cast<double>(v)) + 1.0;
    max = v;
  } else if (!(v == max && v == negInf())) {
    sum += static_cast<double>(expf(v - max));
  }
}

/// Combines the threads' (max, sum) pairs: `max` becomes the block's
/// maximum, and the result is sum(exp(value - max)) over all values.
__device__ inline double blockLse(float &max, double sum) {
  const float all = blockMax(max);
  double scaled = 0.0;
  if (max == all)
    scaled = sum;
  else if (sum != 0.0)
    scaled = sum * expD(static_cast<double>(max) - static_cast<double>(all));
  max = all;
  return blockSum(scaled);
}

/// f32 dot product, in order (as one row of an sgemm).
__device__ inline float dotF(const float *a, const float *b, i64 n) {
  float acc = 0.0f;
  for (i64 e = 0; e < n; ++e)
    acc += a[e] * b[e];
  return acc;
}

/// This thread's share (elements t, t + blockDim.x, ...) of a double dot.
__device__ inline double dotPartial(const float *a, const float *b, i64 n) {
  double acc = 0.0;
  for (i64 e = tid(); e < n; e += nthreads())
    acc += static_cast<double>(a[e]) * static_cast<double>(b[e]);
  return acc;
}

/// One chunk of a vector-matrix product, by the whole block:
///   out[e] = (first ? 0 : out[e]) + sum_{r < n} coef[r] * load(r, e)
/// for e < width, then times `finalScale` when `last`. `coef` is __shared__
/// (n <= blockDim.x values written before the call). Threads split into
/// groups of min(width, blockDim.x) columns; each group sums a strided share
/// of the rows, and the group partials are added in group order. The
/// thread that writes out[e] is thread e % blockDim.x (always the same for a
/// given blockDim.x), so chunks can accumulate in `out`. Barriers on entry
/// and exit, so `coef` may be rewritten right after.
template <typename Load>
__device__ void accumulateRows(const float *coef, i64 n, Load load, i64 width,
                               float *out, bool first, bool last,
                               float finalScale) {
  __shared__ float partial[kBlock];
  const i64 t = tid(), nt = nthreads();
  __syncthreads();
  const i64 w = width < nt ? width : nt;
  if (w > 0) {
    const i64 groups = nt / w, g = t / w, lane = t % w;
    for (i64 e0 = 0; e0 < width; e0 += w) {
      const i64 e = e0 + lane;
      float acc = 0.0f;
      if (g < groups && e < width)
        for (i64 r = g; r < n; r += groups)
          acc += coef[r] * load(r, e);
      partial[t] = acc;
      __syncthreads();
      if (t < w && e < width) {
        float sum = 0.0f;
        for (i64 h = 0; h < groups; ++h)
          sum += partial[h * w + t];
        float value = first ? sum : out[e] + sum;
        if (last)
          value *= finalScale;
        out[e] = value;
      }
      __syncthreads();
    }
  }
}

/// exp(logitScale) as the CPU computes it.
__device__ inline float expScale(const float *logitScale) {
  return static_cast<float>(expD(static_cast<double>(*logitScale)));
}

/// logits[i][j] = s * (image[i] / imageNorm[i]) . (text[j] / textNorm[j]):
/// unit vectors rounded to f32 element by element, then an f32 dot.
__device__ inline float logit(i64 d, const float *image, const float *text,
                              const float *imageNorm, const float *textNorm,
                              float s, i64 i, i64 j) {
  const float ni = imageNorm[i], nj = textNorm[j];
  const float *a = image + i * d, *b = text + j * d;
  float acc = 0.0f;
  for (i64 e = 0; e < d; ++e)
    acc += (a[e] / ni) * (b[e] / nj);
  return s * acc;
}

/// d loss / d logits[i][j] (times the upstream weight grad / 2n).
__device__ inline float logitGrad(float logitValue, float imageLse,
                                  float textLse, bool diagonal, float weight) {
  return weight * (expf(logitValue - imageLse) + expf(logitValue - textLse) -
                   (diagonal ? 2.0f : 0.0f));
}

__device__ inline bool badIndex(long long index, i64 axis) {
  return index < 0 || index >= axis;
}

/// Records position `p` of `indices` when it is the first bad one (an
/// O(p) scan, run only by threads whose own index is bad): exactly one
/// thread of the launch writes, so no atomics are needed. An error that an
/// earlier launch recorded is kept.
__device__ inline void checkIndex(i64 p, const long long *indices, i64 axis,
                                  long long *error) {
  const long long index = indices[p];
  if (!badIndex(index, axis))
    return;
  for (i64 q = 0; q < p; ++q)
    if (badIndex(indices[q], axis))
      return;
  if (error[0] == 0) {
    error[1] = p;
    error[2] = index;
    error[0] = 1;
  }
}

__device__ inline bool isNan(float v) { return v != v; }
__device__ inline bool isNan(long long) { return false; }

} // namespace detail

//===----------------------------------------------------------------------===//
// GEMM epilogue.
//===----------------------------------------------------------------------===//

/// After a cuBLASLt D = A B (+ bias): c[i] = act(c[i]) (+ residual[i]).
/// Activation codes as clip::cpu::Activation (0 none, 1 gelu erf, 2 gelu
/// tanh, 3 quick gelu). `residual` may be null or alias `c`.
/// units: count, thread-per-unit.
__device__ inline void gemmEpilogue(i64 count, int activation,
                                    const float *residual, float *c) {
  for (i64 i = detail::firstThread(); i < count; i += detail::allThreads()) {
    float v = clip::scalar::activate(activation, c[i]);
    if (residual)
      v += residual[i];
    c[i] = v;
  }
}

//===----------------------------------------------------------------------===//
// LayerNorm.
//===----------------------------------------------------------------------===//

/// clip::cpu::layerNorm: with `residual`, the input is x + residual, also
/// written to `stream`. mean/rstd [rows].
/// units: rows, block-per-unit.
__device__ inline void layerNormForward(i64 rows, i64 cols, const float *x,
                                        const float *residual, float *stream,
                                        const float *weight, const float *bias,
                                        float epsilon, float *out, float *mean,
                                        float *rstd) {
  using namespace detail;
  if (cols <= 0)
    return;
  const i64 t = tid(), nt = nthreads();
  for (i64 u = blockIdx.x; u < rows; u += gridDim.x) {
    const float *in = x + u * cols;
    if (residual) {
      float *sum = stream + u * cols;
      const float *res = residual + u * cols;
      for (i64 j = t; j < cols; j += nt)
        sum[j] = in[j] + res[j];
      in = sum; // each thread reads back only what it wrote
    }
    double part = 0.0;
    for (i64 j = t; j < cols; j += nt)
      part += static_cast<double>(in[j]);
    const double mu = blockSum(part) / static_cast<double>(cols);
    part = 0.0;
    for (i64 j = t; j < cols; j += nt) {
      const double dev = static_cast<double>(in[j]) - mu;
      part += dev * dev;
    }
    const double var = blockSum(part) / static_cast<double>(cols);
    const float m = static_cast<float>(mu);
    const float s =
        static_cast<float>(1.0 / sqrtD(var + static_cast<double>(epsilon)));
    float *o = out + u * cols;
    for (i64 j = t; j < cols; j += nt)
      o[j] = (in[j] - m) * s * weight[j] + bias[j];
    if (t == 0) {
      mean[u] = m;
      rstd[u] = s;
    }
  }
}

/// dx of clip::cpu::layerNormGrad.
/// units: rows, block-per-unit.
__device__ inline void layerNormGradInput(i64 rows, i64 cols, const float *grad,
                                          const float *x, const float *mean,
                                          const float *rstd,
                                          const float *weight, float *dx) {
  using namespace detail;
  if (cols <= 0)
    return;
  const i64 t = tid(), nt = nthreads();
  for (i64 u = blockIdx.x; u < rows; u += gridDim.x) {
    const float *dy = grad + u * cols, *in = x + u * cols;
    const float m = mean[u], s = rstd[u];
    double sumDxhat = 0.0, sumDxhatXhat = 0.0;
    for (i64 j = t; j < cols; j += nt) {
      const float xhat = (in[j] - m) * s, dxhat = dy[j] * weight[j];
      sumDxhat += static_cast<double>(dxhat);
      sumDxhatXhat += static_cast<double>(dxhat) * static_cast<double>(xhat);
    }
    blockSum2(sumDxhat, sumDxhatXhat);
    const float meanDxhat =
        static_cast<float>(sumDxhat / static_cast<double>(cols));
    const float meanDxhatXhat =
        static_cast<float>(sumDxhatXhat / static_cast<double>(cols));
    float *d = dx + u * cols;
    for (i64 j = t; j < cols; j += nt) {
      const float xhat = (in[j] - m) * s, dxhat = dy[j] * weight[j];
      d[j] = s * (dxhat - meanDxhat - xhat * meanDxhatXhat);
    }
  }
}

/// dweight and dbias of clip::cpu::layerNormGrad (column sums over the rows,
/// in double). A unit is kParamColumns adjacent columns: the block's threads
/// split into row groups that each read kParamColumns contiguous floats per
/// row, and the groups' partials are added in group order.
/// units: ceil(cols / kParamColumns), block-per-unit (a grid of `cols`
/// blocks also works: the extra blocks have nothing to do).
__device__ inline void layerNormGradParams(i64 rows, i64 cols,
                                           const float *grad, const float *x,
                                           const float *mean,
                                           const float *rstd, float *dweight,
                                           float *dbias) {
  using namespace detail;
  __shared__ double partW[kBlock];
  __shared__ double partB[kBlock];
  const i64 t = tid(), nt = nthreads();
  const i64 w = nt < kParamColumns ? nt : kParamColumns;
  const i64 groups = nt / w, g = t / w, lane = t % w;
  const i64 units = ceilDiv(maxI(cols, 0), kParamColumns);
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    for (i64 c0 = 0; c0 < kParamColumns; c0 += w) {
      const i64 c = c0 + lane, j = u * kParamColumns + c;
      double sw = 0.0, sb = 0.0;
      if (g < groups && c < kParamColumns && j < cols)
        for (i64 r = g; r < rows; r += groups) {
          const float dy = grad[r * cols + j];
          const float xhat = (x[r * cols + j] - mean[r]) * rstd[r];
          sw += static_cast<double>(dy) * static_cast<double>(xhat);
          sb += static_cast<double>(dy);
        }
      partW[t] = sw;
      partB[t] = sb;
      __syncthreads();
      if (t < w && c < kParamColumns && j < cols) {
        double tw = 0.0, tb = 0.0;
        for (i64 h = 0; h < groups; ++h) {
          tw += partW[h * w + t];
          tb += partB[h * w + t];
        }
        dweight[j] = static_cast<float>(tw);
        dbias[j] = static_cast<float>(tb);
      }
      __syncthreads();
    }
  }
}

//===----------------------------------------------------------------------===//
// Attention.
//===----------------------------------------------------------------------===//

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
      lse[u] = visible > 0 ? static_cast<float>(static_cast<double>(max) +
                                                logD(sum))
                           : negInf();
    const float inv = static_cast<float>(1.0 / sum);
    const i64 chunks = maxI(1, ceilDiv(visible, nt));
    for (i64 c = 0; c < chunks; ++c) {
      const i64 j0 = c * nt, j = j0 + t;
      if (j < visible)
        p[t] = expf(scale * dotF(qi, kb + j * d, d) - max) * inv;
      accumulateRows(
          p, maxI(0, minI(nt, visible - j0)),
          [=](i64 r, i64 e) { return vb[(j0 + r) * dv + e]; }, dv,
          out + u * dv, c == 0, c == chunks - 1, 1.0f);
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
    const float rowDot = static_cast<float>(blockSum(dotPartial(gi, out + u * dv, dv)));
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
__device__ inline void attentionGradKeyValue(
    i64 batch, i64 lq, i64 lk, i64 d, i64 dv, float scale, bool causal,
    const float *grad, const float *q, const float *k, const float *v,
    const float *out, const float *lse, float *dk, float *dvOut) {
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

//===----------------------------------------------------------------------===//
// Contrastive loss: forward in three phases (Norms, Lse, Total), backward
// in one (GradEmbeddings) plus the logit-scale gradient (GradScale, or the
// faster pair GradScaleRows + GradScaleSum).
//===----------------------------------------------------------------------===//

/// Phase 1 of clip::cpu::contrastiveLoss: imageNorm/textNorm [n], the L2
/// norms clamped below at epsilon. Unit u < n is image row u, else text row
/// u - n.
/// units: 2 * n, block-per-unit.
__device__ inline void contrastiveLossNorms(i64 n, i64 d, const float *image,
                                            const float *text, float epsilon,
                                            float *imageNorm,
                                            float *textNorm) {
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
__device__ inline void contrastiveLossLse(i64 n, i64 d, const float *image,
                                          const float *text,
                                          const float *logitScale,
                                          const float *imageNorm,
                                          const float *textNorm,
                                          float *imageLse, float *textLse) {
  using namespace detail;
  const float s = expScale(logitScale);
  for (i64 u = blockIdx.x; u < 2 * n; u += gridDim.x) {
    const bool rowSide = u < n;
    const i64 fixed = rowSide ? u : u - n;
    float max = negInf();
    double sum = 0.0;
    for (i64 o = tid(); o < n; o += nthreads())
      lseAdd(max, sum,
             rowSide
                 ? logit(d, image, text, imageNorm, textNorm, s, fixed, o)
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
__device__ inline void contrastiveLossTotal(
    i64 n, i64 d, const float *image, const float *text,
    const float *logitScale, const float *imageNorm, const float *textNorm,
    const float *imageLse, const float *textLse, float *loss) {
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

/// dimage and dtext of clip::cpu::contrastiveLossGrad. Unit u < n is image
/// row u: da = s sum_j G_uj b_j accumulated chunk by chunk in dimage's row,
/// then back through the normalization; the others are text rows (columns
/// of G). `grad` is the scalar loss gradient.
/// units: 2 * n, block-per-unit.
__device__ inline void contrastiveLossGradEmbeddings(
    i64 n, i64 d, const float *grad, const float *image, const float *text,
    const float *logitScale, const float *imageNorm, const float *textNorm,
    const float *imageLse, const float *textLse, float epsilon, float *dimage,
    float *dtext) {
  using namespace detail;
  __shared__ float g[kBlock];
  const i64 t = tid(), nt = nthreads();
  const float s = expScale(logitScale);
  const float weight = static_cast<float>(static_cast<double>(*grad) /
                                          (2.0 * static_cast<double>(n)));
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
      if (o < n) {
        const i64 i = rowSide ? fixed : o, j = rowSide ? o : fixed;
        const float l = logit(d, image, text, imageNorm, textNorm, s, i, j);
        g[t] = logitGrad(l, imageLse[i], textLse[j], i == j, weight);
      }
      accumulateRows(
          g, maxI(0, minI(nt, n - o0)),
          [=](i64 r, i64 e) {
            return other[(o0 + r) * d + e] / otherNorm[o0 + r];
          },
          d, dx, c == 0, c == chunks - 1, s);
    }
    // Through the normalization: (g - x^ (x^ . g)) / norm, or g / norm
    // where the norm was clamped.
    const float *x = (rowSide ? image : text) + fixed * d;
    const float norm = (rowSide ? imageNorm : textNorm)[fixed];
    double squares = 0.0, projection = 0.0;
    for (i64 e = t; e < d; e += nt) {
      squares += static_cast<double>(x[e]) * static_cast<double>(x[e]);
      projection +=
          static_cast<double>(x[e] / norm) * static_cast<double>(dx[e]);
    }
    blockSum2(squares, projection);
    const bool clamped = sqrtD(squares) <= static_cast<double>(epsilon);
    const float proj = clamped ? 0.0f : static_cast<float>(projection);
    for (i64 e = t; e < d; e += nt)
      dx[e] = (dx[e] - (x[e] / norm) * proj) / norm;
  }
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

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW).
//===----------------------------------------------------------------------===//

/// Same fields, same order as clip::cpu::Conv2DShape.
struct Conv2DShape {
  i64 n, channels, height, width, outChannels, kernelH, kernelW, outHeight,
      outWidth, strideH, strideW, padH, padW, dilationH, dilationW, groups;
};

/// clip::cpu::conv2d, direct: one output element per thread (f32 sum over
/// the group's channels and the kernel window, then + bias). `bias` may be
/// null. units: n * outChannels * outHeight * outWidth, thread-per-unit.
__device__ inline void conv2dForward(const Conv2DShape &s, const float *x,
                                     const float *w, const float *bias,
                                     float *out) {
  using namespace detail;
  const i64 total = s.n * s.outChannels * s.outHeight * s.outWidth;
  if (total <= 0)
    return;
  const i64 cg = s.channels / s.groups, groupOut = s.outChannels / s.groups;
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    const i64 ox = idx % s.outWidth, oy = (idx / s.outWidth) % s.outHeight;
    const i64 o = (idx / (s.outWidth * s.outHeight)) % s.outChannels;
    const i64 img = idx / (s.outWidth * s.outHeight * s.outChannels);
    const i64 group = o / groupOut;
    float acc = 0.0f;
    for (i64 c = 0; c < cg; ++c) {
      const float *plane =
          x + (img * s.channels + group * cg + c) * s.height * s.width;
      const float *wk = w + (o * cg + c) * s.kernelH * s.kernelW;
      for (i64 i = 0; i < s.kernelH; ++i) {
        const i64 iy = oy * s.strideH - s.padH + i * s.dilationH;
        if (iy < 0 || iy >= s.height)
          continue;
        for (i64 j = 0; j < s.kernelW; ++j) {
          const i64 ix = ox * s.strideW - s.padW + j * s.dilationW;
          if (ix >= 0 && ix < s.width)
            acc += wk[i * s.kernelW + j] * plane[iy * s.width + ix];
        }
      }
    }
    out[idx] = bias ? acc + bias[o] : acc;
  }
}

/// dx of clip::cpu::conv2dGrad in gather form (no atomics): each input
/// element sums grad * w over the outputs whose window covers it.
/// units: n * channels * height * width, thread-per-unit.
__device__ inline void conv2dGradInput(const Conv2DShape &s, const float *grad,
                                       const float *w, float *dx) {
  using namespace detail;
  const i64 total = s.n * s.channels * s.height * s.width;
  if (total <= 0)
    return;
  const i64 cg = s.channels / s.groups, groupOut = s.outChannels / s.groups;
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    const i64 ix = idx % s.width, iy = (idx / s.width) % s.height;
    const i64 c = (idx / (s.width * s.height)) % s.channels;
    const i64 img = idx / (s.width * s.height * s.channels);
    const i64 group = c / cg, cl = c % cg;
    float acc = 0.0f;
    for (i64 o = group * groupOut; o < (group + 1) * groupOut; ++o) {
      const float *gp = grad + (img * s.outChannels + o) * s.outHeight * s.outWidth;
      const float *wk = w + (o * cg + cl) * s.kernelH * s.kernelW;
      for (i64 i = 0; i < s.kernelH; ++i) {
        const i64 ty = iy + s.padH - i * s.dilationH;
        if (ty < 0 || ty % s.strideH != 0 || ty / s.strideH >= s.outHeight)
          continue;
        const i64 oy = ty / s.strideH;
        for (i64 j = 0; j < s.kernelW; ++j) {
          const i64 tx = ix + s.padW - j * s.dilationW;
          if (tx < 0 || tx % s.strideW != 0 || tx / s.strideW >= s.outWidth)
            continue;
          acc += wk[i * s.kernelW + j] * gp[oy * s.outWidth + tx / s.strideW];
        }
      }
    }
    dx[idx] = acc;
  }
}

/// dw of clip::cpu::conv2dGrad: each weight element is a block reduction
/// (double) over n * outHeight * outWidth.
/// units: outChannels * (channels / groups) * kernelH * kernelW,
/// block-per-unit.
__device__ inline void conv2dGradWeight(const Conv2DShape &s,
                                        const float *grad, const float *x,
                                        float *dw) {
  using namespace detail;
  const i64 cg = s.channels / s.groups, groupOut = s.outChannels / s.groups;
  const i64 units = s.outChannels * cg * s.kernelH * s.kernelW;
  const i64 plane = s.outHeight * s.outWidth, count = s.n * plane;
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 j = u % s.kernelW, i = (u / s.kernelW) % s.kernelH;
    const i64 c = (u / (s.kernelW * s.kernelH)) % cg;
    const i64 o = u / (s.kernelW * s.kernelH * cg);
    const i64 ci = (o / groupOut) * cg + c;
    double part = 0.0;
    for (i64 f = tid(); f < count; f += nthreads()) {
      const i64 img = f / plane, oy = (f % plane) / s.outWidth,
                ox = f % s.outWidth;
      const i64 iy = oy * s.strideH - s.padH + i * s.dilationH;
      const i64 ix = ox * s.strideW - s.padW + j * s.dilationW;
      if (iy < 0 || iy >= s.height || ix < 0 || ix >= s.width)
        continue;
      part += static_cast<double>(
                  grad[(img * s.outChannels + o) * plane + oy * s.outWidth +
                       ox]) *
              static_cast<double>(
                  x[((img * s.channels + ci) * s.height + iy) * s.width + ix]);
    }
    const double total = blockSum(part);
    if (tid() == 0)
      dw[u] = static_cast<float>(total);
  }
}

/// Same fields, same order as clip::cpu::Pool2DShape.
struct Pool2DShape {
  i64 planes, height, width, outHeight, outWidth, kernelH, kernelW, strideH,
      strideW, padH, padW;
};

/// clip::cpu::avgPool2d: padded zeros count (divisor kernelH * kernelW).
/// units: planes * outHeight * outWidth, thread-per-unit.
__device__ inline void avgPool2d(const Pool2DShape &s, const float *x,
                                 float *out) {
  using namespace detail;
  const i64 total = s.planes * s.outHeight * s.outWidth;
  if (total <= 0)
    return;
  const double window = static_cast<double>(s.kernelH * s.kernelW);
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    const i64 ox = idx % s.outWidth, oy = (idx / s.outWidth) % s.outHeight;
    const i64 p = idx / (s.outWidth * s.outHeight);
    const float *plane = x + p * s.height * s.width;
    double sum = 0.0;
    for (i64 i = 0; i < s.kernelH; ++i) {
      const i64 iy = oy * s.strideH - s.padH + i;
      if (iy < 0 || iy >= s.height)
        continue;
      for (i64 j = 0; j < s.kernelW; ++j) {
        const i64 ix = ox * s.strideW - s.padW + j;
        if (ix >= 0 && ix < s.width)
          sum += static_cast<double>(plane[iy * s.width + ix]);
      }
    }
    out[idx] = static_cast<float>(sum / window);
  }
}

/// clip::cpu::avgPool2dGrad in gather form: each input element adds
/// grad * (1 / (kernelH * kernelW)) of the windows covering it, in the
/// CPU's order (bitwise equal results).
/// units: planes * height * width, thread-per-unit.
__device__ inline void avgPool2dGrad(const Pool2DShape &s, const float *grad,
                                     float *dx) {
  using namespace detail;
  const i64 total = s.planes * s.height * s.width;
  if (total <= 0)
    return;
  const float share =
      static_cast<float>(1.0 / static_cast<double>(s.kernelH * s.kernelW));
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    const i64 ix = idx % s.width, iy = (idx / s.width) % s.height;
    const i64 p = idx / (s.width * s.height);
    const float *gp = grad + p * s.outHeight * s.outWidth;
    // Windows [o * stride - pad, o * stride - pad + kernel) covering iy/ix.
    const i64 ly = iy + s.padH - s.kernelH + 1, lx = ix + s.padW - s.kernelW + 1;
    const i64 oy0 = ly <= 0 ? 0 : ceilDiv(ly, s.strideH);
    const i64 ox0 = lx <= 0 ? 0 : ceilDiv(lx, s.strideW);
    const i64 oy1 = minI(s.outHeight - 1, (iy + s.padH) / s.strideH);
    const i64 ox1 = minI(s.outWidth - 1, (ix + s.padW) / s.strideW);
    float acc = 0.0f;
    for (i64 oy = oy0; oy <= oy1; ++oy)
      for (i64 ox = ox0; ox <= ox1; ++ox)
        acc += gp[oy * s.outWidth + ox] * share;
    dx[idx] = acc;
  }
}

//===----------------------------------------------------------------------===//
// BatchNorm (x [n, channels, spatial]).
//===----------------------------------------------------------------------===//

/// clip::cpu::batchNorm (running statistics).
/// units: n * channels * spatial, thread-per-unit.
__device__ inline void batchNorm(i64 n, i64 channels, i64 spatial,
                                 const float *x, const float *scale,
                                 const float *bias, const float *mean,
                                 const float *var, float epsilon, float *out) {
  using namespace detail;
  const i64 total = n * channels * spatial;
  if (total <= 0)
    return;
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    const i64 c = (idx / spatial) % channels;
    const float k = static_cast<float>(
        static_cast<double>(scale[c]) /
        sqrtD(static_cast<double>(var[c]) + static_cast<double>(epsilon)));
    out[idx] = (x[idx] - mean[c]) * k + bias[c];
  }
}

/// clip::cpu::batchNormTrain, one channel per unit: the batch mean and
/// (biased) variance in double, the running statistics (unbiased variance),
/// then the channel normalized with the batch statistics.
/// units: channels, block-per-unit.
__device__ inline void batchNormTrain(i64 n, i64 channels, i64 spatial,
                                      const float *x, const float *scale,
                                      const float *bias,
                                      const float *runningMean,
                                      const float *runningVar, float epsilon,
                                      float momentum, float *out,
                                      float *newRunningMean,
                                      float *newRunningVar) {
  using namespace detail;
  const i64 t = tid(), nt = nthreads();
  const i64 count = n * spatial;
  const double countD = static_cast<double>(count);
  for (i64 c = blockIdx.x; c < channels; c += gridDim.x) {
    double part = 0.0;
    for (i64 f = t; f < count; f += nt)
      part += static_cast<double>(
          x[((f / spatial) * channels + c) * spatial + f % spatial]);
    const double mu = blockSum(part) / countD;
    part = 0.0;
    for (i64 f = t; f < count; f += nt) {
      const double dev =
          static_cast<double>(
              x[((f / spatial) * channels + c) * spatial + f % spatial]) -
          mu;
      part += dev * dev;
    }
    const double var = blockSum(part) / countD;
    if (t == 0) {
      const double unbiased = var * countD / (countD - 1.0);
      const double mom = static_cast<double>(momentum);
      newRunningMean[c] = static_cast<float>(
          (1.0 - mom) * static_cast<double>(runningMean[c]) + mom * mu);
      newRunningVar[c] = static_cast<float>(
          (1.0 - mom) * static_cast<double>(runningVar[c]) + mom * unbiased);
    }
    const float m = static_cast<float>(mu);
    const float k = static_cast<float>(
        static_cast<double>(scale[c]) /
        sqrtD(static_cast<double>(static_cast<float>(var)) +
              static_cast<double>(epsilon)));
    const float b = bias[c];
    for (i64 f = t; f < count; f += nt) {
      const i64 at = ((f / spatial) * channels + c) * spatial + f % spatial;
      out[at] = (x[at] - m) * k + b;
    }
  }
}

//===----------------------------------------------------------------------===//
// Data movement, reductions, softmax, gather.
//===----------------------------------------------------------------------===//

/// dst[sum(idx * dstStrides)] = src[sum(idx * srcStrides)] for every index
/// of `shape` (row-major; a 0 source stride broadcasts). Nothing when a dim
/// is empty; rank 0 copies one element. T is float or long long.
/// units: product(shape), thread-per-unit.
template <typename T>
__device__ inline void stridedCopy(int rank, const i64 *shape, const T *src,
                                   const i64 *srcStrides, T *dst,
                                   const i64 *dstStrides) {
  using namespace detail;
  i64 total = 1;
  for (int d = 0; d < rank; ++d)
    total *= shape[d] > 0 ? shape[d] : 0;
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    i64 rest = idx, from = 0, to = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const i64 i = rest % shape[d];
      rest /= shape[d];
      from += i * srcStrides[d];
      to += i * dstStrides[d];
    }
    dst[to] = src[from];
  }
}

/// dst[i] = value. units: count, thread-per-unit.
__device__ inline void fill(float *dst, i64 count, float value) {
  for (i64 i = detail::firstThread(); i < count; i += detail::allThreads())
    dst[i] = value;
}

/// dst[o] for every flat kept index o (row-major over keptShape) = the
/// reduction over the reduced index space of src[sum(keptIdx * keptStrides)
/// + sum(redIdx * redStrides)]. kind: 0 sum, 1 mean (sums in double), 2 max
/// (NaN-propagating; -inf over nothing; a mean over nothing is NaN).
/// units: product(keptShape), block-per-unit.
__device__ inline void reduce(int kind, int keptRank, const i64 *keptShape,
                              const i64 *keptStrides, int redRank,
                              const i64 *redShape, const i64 *redStrides,
                              const float *src, float *dst) {
  using namespace detail;
  i64 keptCount = 1, redCount = 1;
  for (int d = 0; d < keptRank; ++d)
    keptCount *= keptShape[d];
  for (int d = 0; d < redRank; ++d)
    redCount *= redShape[d];
  for (i64 u = blockIdx.x; u < keptCount; u += gridDim.x) {
    i64 base = 0, rest = u;
    for (int d = keptRank - 1; d >= 0; --d) {
      base += (rest % keptShape[d]) * keptStrides[d];
      rest /= keptShape[d];
    }
    double sum = 0.0;
    float max = negInf();
    for (i64 r = tid(); r < redCount; r += nthreads()) {
      i64 offset = base;
      rest = r;
      for (int d = redRank - 1; d >= 0; --d) {
        offset += (rest % redShape[d]) * redStrides[d];
        rest /= redShape[d];
      }
      const float v = src[offset];
      if (kind == 2)
        max = (v > max || v != v) ? v : max;
      else
        sum += static_cast<double>(v);
    }
    if (kind == 2) {
      max = blockMax(max);
      if (tid() == 0)
        dst[u] = max;
    } else {
      sum = blockSum(sum);
      if (tid() == 0)
        dst[u] = static_cast<float>(
            kind == 1 ? sum / static_cast<double>(redCount) : sum);
    }
  }
}

/// First index of the maximum along the middle dim of [outer, axis, inner]
/// (a NaN counts as the maximum; the first NaN wins). Nothing when axis <= 0.
/// units: outer * inner, thread-per-unit.
template <typename T>
__device__ inline void argmax(i64 outer, i64 axis, i64 inner, const T *src,
                              long long *dst) {
  using namespace detail;
  if (axis <= 0 || inner <= 0)
    return;
  const i64 total = outer * inner;
  for (i64 idx = firstThread(); idx < total; idx += allThreads()) {
    const T *base = src + (idx / inner) * axis * inner + idx % inner;
    T value = base[0];
    long long best = 0;
    for (i64 i = 1; i < axis; ++i) {
      const T v = base[i * inner];
      if (!isNan(value) && (v > value || isNan(v))) {
        value = v;
        best = i;
      }
    }
    dst[idx] = best;
  }
}

/// (log_)softmax along the middle dim of [outer, axis, inner]: the max
/// (NaN-propagating), then the sum of exp(x - max) in double, then the
/// outputs. One (outer, inner) column per unit, the block along the axis.
/// units: outer * inner, block-per-unit.
__device__ inline void softmax(i64 outer, i64 axis, i64 inner, bool log,
                               const float *src, float *dst) {
  using namespace detail;
  if (axis <= 0 || inner <= 0)
    return;
  const i64 t = tid(), nt = nthreads();
  const i64 units = outer * inner;
  for (i64 u = blockIdx.x; u < units; u += gridDim.x) {
    const i64 start = (u / inner) * axis * inner + u % inner;
    const float *in = src + start;
    float *out = dst + start;
    float max = negInf();
    for (i64 a = t; a < axis; a += nt)
      max = clip::scalar::maxOf(max, in[a * inner]);
    max = blockMax(max);
    double part = 0.0;
    for (i64 a = t; a < axis; a += nt)
      part += static_cast<double>(expf(in[a * inner] - max));
    const double sum = blockSum(part);
    if (log) {
      const float logSum = static_cast<float>(logD(sum));
      for (i64 a = t; a < axis; a += nt)
        out[a * inner] = (in[a * inner] - max) - logSum;
    } else {
      const float inv = static_cast<float>(1.0 / sum);
      for (i64 a = t; a < axis; a += nt)
        out[a * inner] = expf(in[a * inner] - max) * inv;
    }
  }
}

namespace detail {
/// The loop gather and gatherGrad share: for every output element `idx` of
/// [batch, pre, count, inner] whose index is good, f(idx, offset of the
/// gathered table element); the first batch * count threads also check one
/// index position each (checkIndex).
template <typename F>
__device__ inline void forEachGathered(i64 batch, i64 pre, i64 axis, i64 inner,
                                       i64 count, const long long *indices,
                                       long long *error, F f) {
  const i64 positions = batch * count, total = batch * pre * count * inner;
  const i64 limit = maxI(positions, total);
  for (i64 idx = firstThread(); idx < limit; idx += allThreads()) {
    if (idx < positions)
      checkIndex(idx, indices, axis, error);
    if (idx >= total)
      continue;
    const i64 col = idx % inner, row = idx / inner;
    const i64 c = row % count, bp = row / count, b = bp / pre;
    const long long index = indices[b * count + c];
    if (!badIndex(index, axis))
      f(idx, (bp * axis + index) * inner + col);
  }
}
} // namespace detail

/// clip::cpu::gather: x [batch, pre, axis, inner], indices [batch, count],
/// out [batch, pre, count, inner]. An index outside [0, axis) is an error:
/// the first bad one (lowest flat position in indices) is recorded as
/// error[0..2] = {1, position, index} (unless error[0] is already set;
/// `error` points at 3 zeroed long longs), and the output elements of bad
/// positions are not written (the others are). T is float or long long.
/// units: batch * pre * count * inner, thread-per-unit (the first
/// batch * count threads also check one index position each).
template <typename T>
__device__ inline void gather(i64 batch, i64 pre, i64 axis, i64 inner,
                              i64 count, const T *x, const long long *indices,
                              T *out, long long *error) {
  detail::forEachGathered(batch, pre, axis, inner, count, indices, error,
                          [&](i64 idx, i64 at) { out[idx] = x[at]; });
}

/// clip::cpu::gatherGrad: dx [batch, pre, axis, inner] += grad at the
/// gathered rows. dx must be zeroed first (a `fill` launch). atomicAdd:
/// repeated indices accumulate in no fixed order (not bit-deterministic).
/// Bad indices as in gather (their gradients are dropped).
/// units: batch * pre * count * inner, thread-per-unit.
__device__ inline void gatherGrad(i64 batch, i64 pre, i64 axis, i64 inner,
                                  i64 count, const float *grad,
                                  const long long *indices, float *dx,
                                  long long *error) {
  detail::forEachGathered(
      batch, pre, axis, inner, count, indices, error,
      [&](i64 idx, i64 at) { atomicAdd(dx + at, grad[idx]); });
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_CUDAKERNELS_CUH
