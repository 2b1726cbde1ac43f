//===- LayerNorm.cuh - LayerNorm (CUDA device library) --------------------===//
//
// clip.layer_norm and clip.add_layer_norm: the forward, and the backward
// in two launches (layerNormGradInput per row, layerNormGradParams per
// kParamColumns columns).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_LAYERNORM_CUH
#define CLIP_RUNTIME_CUDA_LAYERNORM_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

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
                                           const float *mean, const float *rstd,
                                           float *dweight, float *dbias) {
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

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_LAYERNORM_CUH
