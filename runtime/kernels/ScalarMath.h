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

namespace clip {

/// bfloat16 storage (the top 16 bits of an IEEE f32): what `--precision
/// bf16` stores activations in. Kernels compute in f32; a load widens
/// exactly, a store rounds to nearest even as the GPU's cvt.rn.bf16.f32
/// does (NaN stays a quiet NaN with its sign). Same bits as CUDA's
/// __nv_bfloat16, so cuBLASLt reads these buffers as CUDA_R_16BF.
struct bf16 {
  unsigned short bits;

  bf16() = default;
  CLIP_HD bf16(float value) : bits(round(value)) {}
  CLIP_HD operator float() const { return widen(bits); }

  CLIP_HD static unsigned short round(float value) {
    const unsigned u = toBits(value);
    if ((u & 0x7fffffffu) > 0x7f800000u) // NaN: quiet, keep the sign
      return static_cast<unsigned short>((u >> 16) | 0x0040u);
    return static_cast<unsigned short>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  }
  CLIP_HD static float widen(unsigned short b) {
    return fromBits(static_cast<unsigned>(b) << 16);
  }

private:
  CLIP_HD static unsigned toBits(float f) {
#ifdef __CUDACC__
    return __float_as_uint(f);
#else
    unsigned u;
    __builtin_memcpy(&u, &f, sizeof u);
    return u;
#endif
  }
  CLIP_HD static float fromBits(unsigned u) {
#ifdef __CUDACC__
    return __uint_as_float(u);
#else
    float f;
    __builtin_memcpy(&f, &u, sizeof f);
    return f;
#endif
  }
};
static_assert(sizeof(bf16) == 2, "bf16 is two bytes of storage");

} // namespace clip

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

/// One AdamW step's constants (PyTorch's AdamW: decoupled weight decay,
/// bias-corrected moments, eps added to the corrected second moment's root),
/// computed once per step on the host in double and rounded to f32.
struct AdamWStep {
  float decay;        ///< 1 - lr * weight_decay (1 for excluded tensors)
  float beta1, beta2; ///< and 1 - beta, as f32
  float oneMinusBeta1, oneMinusBeta2;
  float stepSize;        ///< lr / (1 - beta1^t)
  float rootCorrection2; ///< sqrt(1 - beta2^t)
  float eps;
};

/// The update of one element, written once for the host optimizer and the
/// device's multi-tensor kernel so that both give the same bits: the two
/// moment updates are explicit fmaf (no compiler is free to contract them
/// differently), the rest plain IEEE operations (NVRTC's sqrt and division
/// are correctly rounded without --use_fast_math).
CLIP_HD void adamwUpdate(float &x, float &m, float &v, float g,
                         const AdamWStep &s) {
  x = x * s.decay;
  m = fmaf(s.beta1, m, s.oneMinusBeta1 * g);
  v = fmaf(s.beta2, v, (s.oneMinusBeta2 * g) * g);
  const float denominator = sqrtf(v) / s.rootCorrection2 + s.eps;
  x = x - (s.stepSize * m) / denominator;
}

/// Philox-4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers:
/// as easy as 1, 2, 3", SC'11; Random123's constants): four 32-bit words of
/// a counter-based generator, a pure function of (counter, key).
struct Philox4x32 {
  unsigned v[4];
};
CLIP_HD Philox4x32 philox4x32(unsigned c0, unsigned c1, unsigned c2,
                              unsigned c3, unsigned k0, unsigned k1) {
  for (int round = 0; round < 10; ++round) {
    const unsigned long long p0 = 0xD2511F53ull * c0;
    const unsigned long long p1 = 0xCD9E8D57ull * c2;
    const unsigned hi0 = static_cast<unsigned>(p0 >> 32), lo0 = static_cast<unsigned>(p0);
    const unsigned hi1 = static_cast<unsigned>(p1 >> 32), lo1 = static_cast<unsigned>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

/// clip.dropout's keep decision for element `index` of stream `stream`
/// under `seed`: word 0 of Philox with key (seed) and counter (index,
/// stream, 0); kept when its top 24 bits / 2^24 >= rate.
CLIP_HD bool dropoutKeeps(long long seed, long long stream, long long index,
                          float rate) {
  const unsigned long long s = static_cast<unsigned long long>(seed);
  const unsigned long long i = static_cast<unsigned long long>(index);
  const Philox4x32 r = philox4x32(
      static_cast<unsigned>(i), static_cast<unsigned>(i >> 32),
      static_cast<unsigned>(stream), 0u, static_cast<unsigned>(s),
      static_cast<unsigned>(s >> 32));
  return static_cast<float>(r.v[0] >> 8) * (1.0f / 16777216.0f) >= rate;
}

/// Inverted dropout of one element: x / (1 - rate) where kept, else 0.
CLIP_HD float dropout(float x, long long seed, long long stream,
                      long long index, float rate) {
  return dropoutKeeps(seed, stream, index, rate) ? x / (1.0f - rate) : 0.0f;
}

} // namespace clip::scalar

#endif // CLIP_RUNTIME_KERNELS_SCALARMATH_H
