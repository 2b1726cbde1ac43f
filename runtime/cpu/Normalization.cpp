//===- Normalization.cpp - LayerNorm and BatchNorm, forward and backward --===//
//
// Rows (LayerNorm) and channels (BatchNorm) in parallel; every long sum is
// accumulated in double. layerNormGrad's weight and bias gradients sum
// per-chunk partials (fixed chunks of rows, independent of the thread count)
// in chunk order, so they are bit-identical from run to run.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/CpuInternal.h"
#include "runtime/cpu/CpuKernels.h"

#include <cmath>
#include <vector>

namespace clip::cpu {

using namespace detail;

void layerNorm(int64_t rows, int64_t cols, const float *x,
               const float *residual, float *stream, const float *weight,
               const float *bias, float epsilon, float *out, float *mean,
               float *rstd) {
  if (rows <= 0 || cols <= 0)
    return;
#pragma omp parallel for schedule(static) if (worthThreads(rows * cols))
  for (int64_t r = 0; r < rows; ++r) {
    const float *in = x + r * cols;
    if (residual) {
      float *sum = stream + r * cols;
      const float *res = residual + r * cols;
      for (int64_t j = 0; j < cols; ++j)
        sum[j] = in[j] + res[j];
      in = sum;
    }
    const double mu = sumDouble(in, cols) / static_cast<double>(cols);
    const double var =
        squaredDeviationsDouble(in, cols, mu) / static_cast<double>(cols);
    const float m = static_cast<float>(mu);
    const float s =
        static_cast<float>(1.0 / std::sqrt(var + static_cast<double>(epsilon)));
    float *o = out + r * cols;
    for (int64_t j = 0; j < cols; ++j)
      o[j] = (in[j] - m) * s * weight[j] + bias[j];
    mean[r] = m;
    rstd[r] = s;
  }
}

void layerNormGrad(int64_t rows, int64_t cols, const float *grad,
                   const float *x, const float *mean, const float *rstd,
                   const float *weight, float *dx, float *dweight,
                   float *dbias) {
  if (cols <= 0)
    return;
  if (rows <= 0) {
    std::fill(dweight, dweight + cols, 0.0f);
    std::fill(dbias, dbias + cols, 0.0f);
    return;
  }
  // Fixed chunks of rows, each with double partials of dweight and dbias.
  int64_t chunkRows = 32;
  const int64_t maxChunks = 256;
  if ((rows + chunkRows - 1) / chunkRows > maxChunks)
    chunkRows = (rows + maxChunks - 1) / maxChunks;
  const int64_t chunks = (rows + chunkRows - 1) / chunkRows;
  std::vector<double> partials(static_cast<size_t>(chunks * 2 * cols));

#pragma omp parallel if (worthThreads(rows * cols))
  {
    std::vector<float> xhat(cols), dxhat(cols);
#pragma omp for schedule(static)
    for (int64_t chunk = 0; chunk < chunks; ++chunk) {
      double *pw = partials.data() + chunk * 2 * cols;
      double *pb = pw + cols;
      const int64_t end = std::min(rows, (chunk + 1) * chunkRows);
      for (int64_t r = chunk * chunkRows; r < end; ++r) {
        const float *dy = grad + r * cols;
        const float *in = x + r * cols;
        const float m = mean[r], s = rstd[r];
        for (int64_t j = 0; j < cols; ++j) {
          xhat[j] = (in[j] - m) * s;
          dxhat[j] = dy[j] * weight[j];
          pw[j] += static_cast<double>(dy[j]) * static_cast<double>(xhat[j]);
          pb[j] += static_cast<double>(dy[j]);
        }
        const float meanDxhat = static_cast<float>(
            sumDouble(dxhat.data(), cols) / static_cast<double>(cols));
        const float meanDxhatXhat =
            static_cast<float>(dotDouble(dxhat.data(), xhat.data(), cols) /
                               static_cast<double>(cols));
        float *d = dx + r * cols;
        for (int64_t j = 0; j < cols; ++j)
          d[j] = s * (dxhat[j] - meanDxhat - xhat[j] * meanDxhatXhat);
      }
    }
    // Column sums of the partials, chunk by chunk in order.
#pragma omp for schedule(static)
    for (int64_t j = 0; j < cols; ++j) {
      double w = 0.0, b = 0.0;
      for (int64_t chunk = 0; chunk < chunks; ++chunk) {
        w += partials[chunk * 2 * cols + j];
        b += partials[chunk * 2 * cols + cols + j];
      }
      dweight[j] = static_cast<float>(w);
      dbias[j] = static_cast<float>(b);
    }
  }
}

void batchNorm(int64_t n, int64_t channels, int64_t spatial, const float *x,
               const float *scale, const float *bias, const float *mean,
               const float *var, float epsilon, float *out) {
  const int64_t planes = n * channels;
#pragma omp parallel for schedule(static) if (worthThreads(planes * spatial))
  for (int64_t p = 0; p < planes; ++p) {
    const int64_t c = p % channels;
    const float m = mean[c], b = bias[c];
    const float k = static_cast<float>(
        static_cast<double>(scale[c]) /
        std::sqrt(static_cast<double>(var[c]) + static_cast<double>(epsilon)));
    const float *in = x + p * spatial;
    float *o = out + p * spatial;
    for (int64_t j = 0; j < spatial; ++j)
      o[j] = (in[j] - m) * k + b;
  }
}

void batchNormTrain(int64_t n, int64_t channels, int64_t spatial,
                    const float *x, const float *scale, const float *bias,
                    const float *runningMean, const float *runningVar,
                    float epsilon, float momentum, float *out,
                    float *newRunningMean, float *newRunningVar) {
  if (channels <= 0)
    return;
  const double count = static_cast<double>(n * spatial);
  std::vector<float> batchMean(channels), batchVar(channels);
#pragma omp parallel for schedule(                                             \
    static) if (worthThreads(n * channels * spatial))
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i)
      sum += sumDouble(x + (i * channels + c) * spatial, spatial);
    const double mu = sum / count;
    double squares = 0.0;
    for (int64_t i = 0; i < n; ++i)
      squares += squaredDeviationsDouble(x + (i * channels + c) * spatial,
                                         spatial, mu);
    const double var = squares / count; // biased: what normalizes the batch
    const double unbiased = var * count / (count - 1.0);
    const double mom = static_cast<double>(momentum);
    batchMean[c] = static_cast<float>(mu);
    batchVar[c] = static_cast<float>(var);
    newRunningMean[c] = static_cast<float>(
        (1.0 - mom) * static_cast<double>(runningMean[c]) + mom * mu);
    newRunningVar[c] = static_cast<float>(
        (1.0 - mom) * static_cast<double>(runningVar[c]) + mom * unbiased);
  }
  batchNorm(n, channels, spatial, x, scale, bias, batchMean.data(),
            batchVar.data(), epsilon, out);
}

} // namespace clip::cpu
