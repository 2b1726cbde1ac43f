//===- BatchNorm.cuh - BatchNorm (CUDA device library) --------------------===//
//
// clip.batch_norm on x [n, channels, spatial]: the inference form
// (running statistics) and the training form (batch statistics).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_BATCHNORM_CUH
#define CLIP_RUNTIME_CUDA_BATCHNORM_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

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
__device__ inline void
batchNormTrain(i64 n, i64 channels, i64 spatial, const float *x,
               const float *scale, const float *bias, const float *runningMean,
               const float *runningVar, float epsilon, float momentum,
               float *out, float *newRunningMean, float *newRunningVar) {
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
    const float k =
        static_cast<float>(static_cast<double>(scale[c]) /
                           sqrtD(static_cast<double>(static_cast<float>(var)) +
                                 static_cast<double>(epsilon)));
    const float b = bias[c];
    for (i64 f = t; f < count; f += nt) {
      const i64 at = ((f / spatial) * channels + c) * spatial + f % spatial;
      out[at] = (x[at] - m) * k + b;
    }
  }
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_BATCHNORM_CUH
