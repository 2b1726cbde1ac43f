//===- ScalarMath.h - Scalar functions shared by CPU and CUDA kernels -----===//
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
/// e^x without a libm call, so that loops over it vectorize (glibc's expf
/// and erff are scalar calls of ~20 ns on the CPU, and the exact GELU and
/// its derivative were most of a small model's training step). Cody-Waite
/// reduction x = n ln2 + r, |r| <= ln2/2, a degree-6 Taylor polynomial of
/// e^r (truncation below 2e-7 relative) and 2^n from the exponent bits.
/// Inputs are clamped to [-87, 88] (the f32 range); NaN stays NaN.
CLIP_HD float expNoLibm(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  // Round to nearest by the 1.5 * 2^23 trick (floorf does not vectorize).
  const float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
  float r = fmaf(n, -0.693145751953125f, x);
  r = fmaf(n, -1.42860677e-6f, r);
  float p = fmaf(r, 1.0f / 720.0f, 1.0f / 120.0f);
  p = fmaf(p, r, 1.0f / 24.0f);
  p = fmaf(p, r, 1.0f / 6.0f);
  p = fmaf(p, r, 0.5f);
  p = fmaf(p, r, 1.0f);
  p = fmaf(p, r, 1.0f);
  const int bits = (static_cast<int>(n) + 127) << 23;
#ifdef __CUDACC__
  return p * __int_as_float(bits);
#else
  float scale;
  __builtin_memcpy(&scale, &bits, sizeof scale);
  return p * scale;
#endif
}

/// The standard normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 given
/// e = e^(-x^2 / 2), by Abramowitz & Stegun 7.1.26 (absolute error of erf
/// below 1.5e-7). The tail is computed as erfc directly, so Phi of a
/// negative x has no cancellation (1 + erff(x) loses every digit there).
CLIP_HD float normalCdf(float x, float e) {
  const float t =
      1.0f / fmaf(0.3275911f * 0.70710678118654752f, fabsf(x), 1.0f);
  float p = fmaf(1.061405429f, t, -1.453152027f);
  p = fmaf(p, t, 1.421413741f);
  p = fmaf(p, t, -0.284496736f);
  p = fmaf(p, t, 0.254829592f);
  const float halfErfc = 0.5f * p * t * e; // (1 - erf(|x| / sqrt 2)) / 2
  const float upper = 1.0f - halfErfc;     // computed either way: a pure select
  return x < 0.0f ? halfErfc : upper;
}

/// GELU with erf (nn.GELU()): x Phi(x).
CLIP_HD float gelu(float x) {
  return x * normalCdf(x, expNoLibm(-0.5f * x * x));
}
CLIP_HD float geluTanh(float x) {
  const float c = 0.79788456080286536f; // sqrt(2 / pi)
  return 0.5f * x * (1.0f + tanhf(c * (x + 0.044715f * x * x * x)));
}
CLIP_HD float quickGelu(float x) { return x * sigmoid(1.702f * x); }

CLIP_HD float geluDerivative(float x) {
  const float e = expNoLibm(-0.5f * x * x);
  return normalCdf(x, e) + x * e * 0.39894228040143268f; // Phi + x phi
}
CLIP_HD float geluTanhDerivative(float x) {
  const float c = 0.79788456080286536f, k = 0.044715f;
  const float t = tanhf(c * (x + k * x * x * x));
  return 0.5f * (1.0f + t) +
         0.5f * x * (1.0f - t * t) * c * (1.0f + 3.0f * k * x * x);
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
  case 1:
    return gelu(x);
  case 2:
    return geluTanh(x);
  case 3:
    return quickGelu(x);
  default:
    return x;
  }
}
CLIP_HD float activationDerivative(int activation, float x) {
  switch (activation) {
  case 1:
    return geluDerivative(x);
  case 2:
    return geluTanhDerivative(x);
  case 3:
    return quickGeluDerivative(x);
  default:
    return 1.0f;
  }
}

} // namespace clip::scalar

#endif // CLIP_RUNTIME_KERNELS_SCALARMATH_H
