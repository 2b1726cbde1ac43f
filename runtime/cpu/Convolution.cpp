//===- Convolution.cpp - conv2d (im2col + sgemm) and average pooling ------===//
//
// conv2d: per image and group, im2col into a [Cg*kh*kw, oh*ow] matrix (or
// the input itself for a 1x1, stride-1, unpadded kernel), then
// out[n, group] = W[group] col by sgemm, bias preloaded into the output.
// conv2dGrad: dW[group] += grad[n, group] col^T and dcol = W[group]^T
// grad[n, group], scattered back by col2im. Images go to OpenMP threads
// when the batch is large enough, each thread owning a fixed range of images
// and its own dW partial, summed in thread order afterwards; otherwise
// images run in turn, each GEMM split over the threads (parallelSgemm).
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/CpuInternal.h"
#include "runtime/cpu/CpuKernels.h"

#include <vector>

namespace clip::cpu {

using namespace detail;

namespace {

/// The output columns xo in [lo, hi) whose input column xo * stride + offset
/// lies in [0, size).
void validRange(int64_t count, int64_t stride, int64_t offset, int64_t size,
                int64_t &lo, int64_t &hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  lo = std::min(lo, count);
  hi = std::max(lo, std::min(hi, count));
}

struct Geometry {
  int64_t channels, height, width; // of one group's input
  int64_t kh, kw, oh, ow, sh, sw, ph, pw, dh, dw;
  int64_t rows() const { return channels * kh * kw; }
  int64_t columns() const { return oh * ow; }
};

/// col[(c, i, j), (y, x)] = x[c, y sh - ph + i dh, x sw - pw + j dw] or 0,
/// for the col rows [rowBegin, rowEnd).
void im2col(const Geometry &g, const float *x, float *col, int64_t rowBegin,
            int64_t rowEnd) {
  const int64_t columns = g.columns();
  for (int64_t r = rowBegin; r < rowEnd; ++r) {
    const int64_t c = r / (g.kh * g.kw), i = (r / g.kw) % g.kh, j = r % g.kw;
    const float *plane = x + c * g.height * g.width;
    float *dst = col + r * columns;
    const int64_t offsetX = j * g.dw - g.pw;
    int64_t lo, hi;
    validRange(g.ow, g.sw, offsetX, g.width, lo, hi);
    for (int64_t y = 0; y < g.oh; ++y) {
      float *out = dst + y * g.ow;
      const int64_t iy = y * g.sh - g.ph + i * g.dh;
      if (iy < 0 || iy >= g.height) {
        std::fill(out, out + g.ow, 0.0f);
        continue;
      }
      const float *src = plane + iy * g.width;
      std::fill(out, out + lo, 0.0f);
      if (g.sw == 1)
        std::copy(src + lo + offsetX, src + hi + offsetX, out + lo);
      else
        for (int64_t xo = lo; xo < hi; ++xo)
          out[xo] = src[xo * g.sw + offsetX];
      std::fill(out + hi, out + g.ow, 0.0f);
    }
  }
}

/// x[c, ...] += col rows of channel c (the adjoint of im2col), for channels
/// [channelBegin, channelEnd); x is not cleared.
void col2im(const Geometry &g, const float *col, float *x, int64_t channelBegin,
            int64_t channelEnd) {
  const int64_t columns = g.columns();
  for (int64_t c = channelBegin; c < channelEnd; ++c) {
    float *plane = x + c * g.height * g.width;
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        const float *src = col + ((c * g.kh + i) * g.kw + j) * columns;
        const int64_t offsetX = j * g.dw - g.pw;
        int64_t lo, hi;
        validRange(g.ow, g.sw, offsetX, g.width, lo, hi);
        for (int64_t y = 0; y < g.oh; ++y) {
          const int64_t iy = y * g.sh - g.ph + i * g.dh;
          if (iy < 0 || iy >= g.height)
            continue;
          float *dst = plane + iy * g.width;
          const float *in = src + y * g.ow;
          if (g.sw == 1)
            for (int64_t xo = lo; xo < hi; ++xo)
              dst[xo + offsetX] += in[xo];
          else
            for (int64_t xo = lo; xo < hi; ++xo)
              dst[xo * g.sw + offsetX] += in[xo];
        }
      }
  }
}

Geometry geometryOf(const Conv2DShape &s) {
  return {s.channels / s.groups,
          s.height,
          s.width,
          s.kernelH,
          s.kernelW,
          s.outHeight,
          s.outWidth,
          s.strideH,
          s.strideW,
          s.padH,
          s.padW,
          s.dilationH,
          s.dilationW};
}

/// A 1x1 kernel at stride 1 without padding: col is the input itself.
bool isPointwise(const Conv2DShape &s) {
  return s.kernelH == 1 && s.kernelW == 1 && s.strideH == 1 && s.strideW == 1 &&
         s.padH == 0 && s.padW == 0 && s.outHeight == s.height &&
         s.outWidth == s.width;
}

/// C = A B + beta C (dense leading dims), split over the threads when
/// `threaded`.
void gemmOn(bool threaded, bool transA, bool transB, int64_t m, int64_t n,
            int64_t k, const float *a, const float *b, float beta, float *c) {
  if (threaded)
    parallelSgemm(transA, transB, m, n, k, 1.0f, a, b, beta, c);
  else
    sgemm(transA, transB, m, n, k, 1.0f, a, b, beta, c);
}

/// Runs `body(rowBegin, rowEnd)` over [0, count), split over threads when
/// `threaded` and the work is large.
template <typename Fn>
void maybeParallel(bool threaded, int64_t count, int64_t work, Fn body) {
  if (!threaded || !worthThreads(work) || count < 2) {
    body(int64_t(0), count);
    return;
  }
#pragma omp parallel
  {
    int64_t begin, end;
    threadRange(count, omp_get_thread_num(), omp_get_num_threads(), begin, end);
    body(begin, end);
  }
}

} // namespace

void conv2d(const Conv2DShape &s, const float *x, const float *w,
            const float *bias, float *out) {
  const Geometry g = geometryOf(s);
  const int64_t groupOut = s.outChannels / s.groups;
  const int64_t k = g.rows(), p = g.columns();
  const bool pointwise = isPointwise(s);
  if (s.n <= 0 || p <= 0 || s.outChannels <= 0)
    return;

  // One image: every group's GEMM. `threaded`: im2col and bias fill may use
  // OpenMP (only when images are not already spread over threads).
  auto image = [&](int64_t n, float *col, bool threaded) {
    for (int64_t group = 0; group < s.groups; ++group) {
      const float *xg =
          x + (n * s.channels + group * g.channels) * g.height * g.width;
      const float *cols = xg;
      if (!pointwise) {
        maybeParallel(threaded, k, k * p, [&](int64_t lo, int64_t hi) {
          im2col(g, xg, col, lo, hi);
        });
        cols = col;
      }
      float *og = out + (n * s.outChannels + group * groupOut) * p;
      if (bias)
        for (int64_t o = 0; o < groupOut; ++o)
          std::fill(og + o * p, og + (o + 1) * p, bias[group * groupOut + o]);
      gemmOn(threaded, false, false, groupOut, p, k, w + group * groupOut * k,
             cols, bias ? 1.0f : 0.0f, og);
    }
  };

  const size_t colSize = pointwise ? 0 : static_cast<size_t>(k * p);
  if (batchParallel(s.n)) {
#pragma omp parallel
    {
      std::vector<float> col(colSize);
#pragma omp for schedule(static)
      for (int64_t n = 0; n < s.n; ++n)
        image(n, col.data(), false);
    }
    return;
  }
  std::vector<float> col(colSize);
  for (int64_t n = 0; n < s.n; ++n)
    image(n, col.data(), true);
}

void conv2dGrad(const Conv2DShape &s, const float *grad, const float *x,
                const float *w, float *dx, float *dw) {
  const Geometry g = geometryOf(s);
  const int64_t groupOut = s.outChannels / s.groups;
  const int64_t k = g.rows(), p = g.columns();
  const int64_t imageSize = s.channels * s.height * s.width;
  const int64_t weightSize = s.outChannels * k;
  const bool pointwise = isPointwise(s);
  fill(dw, weightSize, 0.0f);
  if (s.n <= 0)
    return;
  if (p <= 0 || s.outChannels <= 0) {
    fill(dx, s.n * imageSize, 0.0f);
    return;
  }

  // One image: dW partial += grad col^T; dx = W^T grad (col2im'ed).
  auto image = [&](int64_t n, float *col, float *colGrad, float *dwAcc,
                   bool threaded) {
    for (int64_t group = 0; group < s.groups; ++group) {
      const int64_t inOffset =
          (n * s.channels + group * g.channels) * g.height * g.width;
      const float *xg = x + inOffset;
      float *dxg = dx + inOffset;
      const float *gg = grad + (n * s.outChannels + group * groupOut) * p;
      const float *wg = w + group * groupOut * k;
      const float *cols = xg;
      if (!pointwise) {
        maybeParallel(threaded, k, k * p, [&](int64_t lo, int64_t hi) {
          im2col(g, xg, col, lo, hi);
        });
        cols = col;
      }
      gemmOn(threaded, false, true, groupOut, k, p, gg, cols, 1.0f,
             dwAcc + group * groupOut * k);
      if (pointwise) {
        gemmOn(threaded, true, false, k, p, groupOut, wg, gg, 0.0f, dxg);
        continue;
      }
      gemmOn(threaded, true, false, k, p, groupOut, wg, gg, 0.0f, colGrad);
      maybeParallel(threaded, g.channels, k * p, [&](int64_t lo, int64_t hi) {
        const int64_t plane = g.height * g.width;
        std::fill(dxg + lo * plane, dxg + hi * plane, 0.0f);
        col2im(g, colGrad, dxg, lo, hi);
      });
    }
  };

  const size_t colSize = pointwise ? 0 : static_cast<size_t>(k * p);
  if (batchParallel(s.n)) {
    // Thread t owns images [n t / T, n (t + 1) / T) and dW partial t
    // (partial 0 is dw itself); partials are added in thread order.
    const int maxT = maxThreads();
    std::vector<float> partials(static_cast<size_t>(maxT - 1) * weightSize);
    int used = 1;
#pragma omp parallel num_threads(maxT)
    {
      const int t = omp_get_thread_num(), threads = omp_get_num_threads();
#pragma omp single
      used = threads;
      float *dwAcc = t == 0 ? dw : partials.data() + (t - 1) * weightSize;
      if (t > 0)
        std::fill(dwAcc, dwAcc + weightSize, 0.0f);
      std::vector<float> col(colSize), colGrad(colSize);
      int64_t begin, end;
      threadRange(s.n, t, threads, begin, end);
      for (int64_t n = begin; n < end; ++n)
        image(n, col.data(), colGrad.data(), dwAcc, false);
#pragma omp barrier
      int64_t lo, hi;
      threadRange(weightSize, t, threads, lo, hi);
      for (int u = 1; u < used; ++u) {
        const float *part = partials.data() + (u - 1) * weightSize;
        for (int64_t i = lo; i < hi; ++i)
          dw[i] += part[i];
      }
    }
    return;
  }
  std::vector<float> col(colSize), colGrad(colSize);
  for (int64_t n = 0; n < s.n; ++n)
    image(n, col.data(), colGrad.data(), dw, true);
}

void avgPool2d(const Pool2DShape &s, const float *x, float *out) {
  const double window = static_cast<double>(s.kernelH * s.kernelW);
  const int64_t outPlane = s.outHeight * s.outWidth;
#pragma omp parallel for schedule(                                             \
    static) if (worthThreads(s.planes * outPlane * s.kernelH * s.kernelW))
  for (int64_t p = 0; p < s.planes; ++p) {
    const float *plane = x + p * s.height * s.width;
    float *o = out + p * outPlane;
    for (int64_t y = 0; y < s.outHeight; ++y)
      for (int64_t xo = 0; xo < s.outWidth; ++xo) {
        double sum = 0.0;
        for (int64_t i = 0; i < s.kernelH; ++i) {
          const int64_t iy = y * s.strideH - s.padH + i;
          if (iy < 0 || iy >= s.height)
            continue;
          for (int64_t j = 0; j < s.kernelW; ++j) {
            const int64_t ix = xo * s.strideW - s.padW + j;
            if (ix >= 0 && ix < s.width)
              sum += plane[iy * s.width + ix];
          }
        }
        o[y * s.outWidth + xo] = static_cast<float>(sum / window);
      }
  }
}

void avgPool2dGrad(const Pool2DShape &s, const float *grad, float *dx) {
  const float share =
      static_cast<float>(1.0 / static_cast<double>(s.kernelH * s.kernelW));
  const int64_t outPlane = s.outHeight * s.outWidth;
#pragma omp parallel for schedule(                                             \
    static) if (worthThreads(s.planes * outPlane * s.kernelH * s.kernelW))
  for (int64_t p = 0; p < s.planes; ++p) {
    float *plane = dx + p * s.height * s.width;
    const float *gp = grad + p * outPlane;
    std::fill(plane, plane + s.height * s.width, 0.0f);
    for (int64_t y = 0; y < s.outHeight; ++y)
      for (int64_t xo = 0; xo < s.outWidth; ++xo) {
        const float gv = gp[y * s.outWidth + xo] * share;
        for (int64_t i = 0; i < s.kernelH; ++i) {
          const int64_t iy = y * s.strideH - s.padH + i;
          if (iy < 0 || iy >= s.height)
            continue;
          for (int64_t j = 0; j < s.kernelW; ++j) {
            const int64_t ix = xo * s.strideW - s.padW + j;
            if (ix >= 0 && ix < s.width)
              plane[iy * s.width + ix] += gv;
          }
        }
      }
  }
}

} // namespace clip::cpu
