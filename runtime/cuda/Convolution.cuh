//===- Convolution.cuh - Convolution and pooling (CUDA device library) ----===//
//
// clip.conv2d (forward; backward in two launches, GradInput and
// GradWeight) and average pooling, NCHW. Their geometry structs are
// runtime/kernels/KernelAbi.h's.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_CONVOLUTION_CUH
#define CLIP_RUNTIME_CUDA_CONVOLUTION_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

/// The geometry of runtime/kernels/KernelAbi.h (also clip::cpu::Conv2DShape).
using Conv2DShape = kernels::Conv2DShape;

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
      const float *gp =
          grad + (img * s.outChannels + o) * s.outHeight * s.outWidth;
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
__device__ inline void conv2dGradWeight(const Conv2DShape &s, const float *grad,
                                        const float *x, float *dw) {
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
      part +=
          static_cast<double>(
              grad[(img * s.outChannels + o) * plane + oy * s.outWidth + ox]) *
          static_cast<double>(
              x[((img * s.channels + ci) * s.height + iy) * s.width + ix]);
    }
    const double total = blockSum(part);
    if (tid() == 0)
      dw[u] = static_cast<float>(total);
  }
}

/// The geometry of runtime/kernels/KernelAbi.h (also clip::cpu::Pool2DShape).
using Pool2DShape = kernels::Pool2DShape;

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
    const i64 ly = iy + s.padH - s.kernelH + 1,
              lx = ix + s.padW - s.kernelW + 1;
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

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_CONVOLUTION_CUH
