//===- Optimizer.cuh - The training update on the device (CUDA library) ---===//
//
// What clip-run train does between two steps, on the device: gradient
// accumulation over micro-batches, the global gradient norm and its
// clipping factor, and AdamW over every parameter tensor in one launch
// (multi-tensor: a unit is a chunk of one tensor), with the logit scale's
// clamp. The same results as the host (runtime/train): the per-element
// update is clip::scalar::adamwUpdate, the constants are computed by the
// host's adamwConstants, accumulation and scaling are the same f32
// operations, so parameters and moments equal the host's bit for bit. No
// atomics: every sum is in a fixed order (a resumed run equals an
// uninterrupted one).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_OPTIMIZER_CUH
#define CLIP_RUNTIME_CUDA_OPTIMIZER_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

/// Every parameter tensor of a model, cut into chunks of at most
/// kOptimizerChunk elements: chunk u is elements [begin[u], end[u]) of
/// tensor tensor[u]. Pointers are per tensor.
struct TensorChunks {
  i64 count; ///< chunks
  const i64 *tensor, *begin, *end;
};
/// The chunk size the runtime cuts tensors into (any size works).
[[maybe_unused]] constexpr i64 kOptimizerChunk = 65536;

/// sum[t][i] = (micro == 0 ? 0 : sum[t][i]) + grad[t][i] / accum: the mean
/// of `accum` micro-batches' gradients (TrainStep::gatherGradients).
/// units: chunks.count, block-per-unit.
__device__ inline void accumulateGradients(TensorChunks chunks,
                                           const float *const *grads,
                                           float *const *sums, i64 micro,
                                           i64 accum) {
  using namespace detail;
  const float divisor = static_cast<float>(accum);
  for (i64 u = blockIdx.x; u < chunks.count; u += gridDim.x) {
    const float *g = grads[chunks.tensor[u]];
    float *s = sums[chunks.tensor[u]];
    for (i64 i = chunks.begin[u] + tid(); i < chunks.end[u]; i += nthreads())
      s[i] = (micro == 0 ? 0.0f : s[i]) + g[i] / divisor;
  }
}

/// partial[u] = the sum of squares of chunk u's gradient elements, in
/// double. units: chunks.count, block-per-unit.
__device__ inline void sumSquares(TensorChunks chunks,
                                  const float *const *grads, double *partial) {
  using namespace detail;
  for (i64 u = blockIdx.x; u < chunks.count; u += gridDim.x) {
    const float *g = grads[chunks.tensor[u]];
    double part = 0.0;
    for (i64 i = chunks.begin[u] + tid(); i < chunks.end[u]; i += nthreads())
      part += static_cast<double>(g[i]) * static_cast<double>(g[i]);
    const double total = blockSum(part);
    if (tid() == 0)
      partial[u] = total;
  }
}

/// norm[0] = sqrt(sum of partial[0..count)), the global gradient norm;
/// norm[1] = the factor clipping multiplies every gradient by: maxNorm /
/// norm (as f32, then widened) when maxNorm > 0 and the norm exceeds it,
/// else 1 (TrainStep::clipGradients). units: 1, block-per-unit.
__device__ inline void globalNorm(i64 count, const double *partial,
                                  double maxNorm, double *norm) {
  using namespace detail;
  if (blockIdx.x != 0)
    return;
  double part = 0.0;
  for (i64 u = tid(); u < count; u += nthreads())
    part += partial[u];
  const double total = sqrtD(blockSum(part));
  if (tid() == 0) {
    norm[0] = total;
    norm[1] = maxNorm > 0 && total > maxNorm
                  ? static_cast<double>(static_cast<float>(maxNorm / total))
                  : 1.0;
  }
}

/// AdamW on every tensor: grad scaled by the clipping factor (norm[1]; the
/// host multiplies only when clipping, and x * 1 is x), then
/// clip::scalar::adamwUpdate with tensor t's constants steps[t]. Tensor
/// `clampTensor` (the logit scale; -1: none) is clamped to [0, clampMax]
/// after its update. units: chunks.count, block-per-unit.
__device__ inline void
adamw(TensorChunks chunks, float *const *values, const float *const *grads,
      float *const *m, float *const *v, const clip::scalar::AdamWStep *steps,
      const double *norm, i64 clampTensor, float clampMax) {
  using namespace detail;
  const float scale = static_cast<float>(norm[1]);
  for (i64 u = blockIdx.x; u < chunks.count; u += gridDim.x) {
    const i64 t = chunks.tensor[u];
    const clip::scalar::AdamWStep s = steps[t];
    float *x = values[t], *mt = m[t], *vt = v[t];
    const float *g = grads[t];
    for (i64 i = chunks.begin[u] + tid(); i < chunks.end[u]; i += nthreads()) {
      clip::scalar::adamwUpdate(x[i], mt[i], vt[i], g[i] * scale, s);
      if (t == clampTensor) // std::clamp's comparisons: NaN stays NaN
        x[i] = x[i] < 0.0f ? 0.0f : (clampMax < x[i] ? clampMax : x[i]);
    }
  }
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_OPTIMIZER_CUH
