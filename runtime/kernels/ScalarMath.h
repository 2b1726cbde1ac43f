//===- ScalarMath.h - Scalar functions shared by CPU and CUDA kernels ------===//
//
// The scalar functions of the clip dialect's elementwise ops, written once
// for both targets: the CPU kernel library and generated CPU code include it
// as C++, and NVRTC compiles the same text as CUDA (CLIP_HD expands to
// `__host__ __device__` there). f32 in, f32 out, as the kernels compute.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_KERNELS_SCALARMATH_H
#define CLIP_RUNTIME_KERNELS_SCALARMATH_H

#ifdef __CUDACC__
#define CLIP_HD __host__ __device__ __forceinline__
#else
#include <cmath>
#define CLIP_HD inline
#endif

namespace clip::scalar {

CLIP_HD float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
CLIP_HD float gelu(float x) {
  return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}
CLIP_HD float geluTanh(float x) {
  const float c = 0.79788456080286536f; // sqrt(2 / pi)
  return 0.5f * x * (1.0f + tanhf(c * (x + 0.044715f * x * x * x)));
}
CLIP_HD float quickGelu(float x) { return x * sigmoid(1.702f * x); }

CLIP_HD float geluDerivative(float x) {
  const float cdf = 0.5f * (1.0f + erff(x * 0.70710678118654752f));
  const float pdf = expf(-0.5f * x * x) * 0.39894228040143268f; // 1/sqrt(2pi)
  return cdf + x * pdf;
}
CLIP_HD float geluTanhDerivative(float x) {
  const float c = 0.79788456080286536f, k = 0.044715f;
  const float t = tanhf(c * (x + k * x * x * x));
  return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * c * (1.0f + 3.0f * k * x * x);
}
CLIP_HD float quickGeluDerivative(float x) {
  const float s = sigmoid(1.702f * x);
  return s + 1.702f * x * s * (1.0f - s);
}

/// NaN-propagating maximum and minimum, as torch.maximum/minimum.
CLIP_HD float maxOf(float a, float b) {
  return (a != a || b != b) ? a + b : (a > b ? a : b);
}
CLIP_HD float minOf(float a, float b) {
  return (a != a || b != b) ? a + b : (a < b ? a : b);
}

/// activation: 0 none, 1 gelu (erf), 2 gelu (tanh), 3 quick_gelu.
CLIP_HD float activate(int activation, float x) {
  switch (activation) {
  case 1: return gelu(x);
  case 2: return geluTanh(x);
  case 3: return quickGelu(x);
  default: return x;
  }
}
CLIP_HD float activationDerivative(int activation, float x) {
  switch (activation) {
  case 1: return geluDerivative(x);
  case 2: return geluTanhDerivative(x);
  case 3: return quickGeluDerivative(x);
  default: return 1.0f;
  }
}

} // namespace clip::scalar

#endif // CLIP_RUNTIME_KERNELS_SCALARMATH_H
