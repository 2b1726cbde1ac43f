//===- DataMovement.cpp - Copies, reductions, softmax, gather -------------===//
//
// stridedCopy coalesces dims that are contiguous on both sides, then copies
// rows of the innermost dim (memcpy, fill or a strided loop), the outer rows
// split over threads. reduce coalesces dims and gives each output to one
// thread: a reduced innermost dim sums contiguous spans, a kept innermost dim
// accumulates a block of adjacent outputs row by row (sums in double). Every
// output is computed by one thread in a fixed order: results never depend on
// the thread count.
//
//===----------------------------------------------------------------------===//
#include "runtime/cpu/CpuInternal.h"
#include "runtime/cpu/CpuKernels.h"

#include <vector>

namespace clip::cpu {

using namespace detail;

namespace {

//===----------------------------------------------------------------------===//
// Strided copy.
//===----------------------------------------------------------------------===//

template <typename T>
void copyRow(const T *src, int64_t srcStride, T *dst, int64_t dstStride,
             int64_t count) {
  if (srcStride == 1 && dstStride == 1) {
    std::copy(src, src + count, dst);
  } else if (srcStride == 0) {
    const T value = *src;
    for (int64_t i = 0; i < count; ++i)
      dst[i * dstStride] = value;
  } else {
    for (int64_t i = 0; i < count; ++i)
      dst[i * dstStride] = src[i * srcStride];
  }
}

template <typename T>
void stridedCopyImpl(int rank, const int64_t *shape, const T *src,
                     const int64_t *srcStrides, T *dst,
                     const int64_t *dstStrides) {
  // Drop size-1 dims; merge a dim into the one outside it when both sides
  // step through them as one (broadcast dims merge too: 0 == 0 * size).
  std::vector<int64_t> sizes, ss, ds;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] <= 0)
      return;
    if (shape[d] == 1)
      continue;
    if (!sizes.empty() && ss.back() == srcStrides[d] * shape[d] &&
        ds.back() == dstStrides[d] * shape[d]) {
      sizes.back() *= shape[d];
      ss.back() = srcStrides[d];
      ds.back() = dstStrides[d];
      continue;
    }
    sizes.push_back(shape[d]);
    ss.push_back(srcStrides[d]);
    ds.push_back(dstStrides[d]);
  }
  if (sizes.empty()) {
    *dst = *src;
    return;
  }
  const int dims = static_cast<int>(sizes.size());
  const int64_t inner = sizes.back(), innerSrc = ss.back(),
                innerDst = ds.back();
  int64_t outer = 1;
  for (int d = 0; d + 1 < dims; ++d)
    outer *= sizes[d];

  // Rows [begin, end) of the outer dims; the row's columns [c0, c1).
  auto rows = [&](int64_t begin, int64_t end, int64_t c0, int64_t c1) {
    std::vector<int64_t> index(dims > 1 ? dims - 1 : 1, 0);
    int64_t so = 0, dso = 0;
    for (int64_t rest = begin, d = dims - 2; d >= 0; --d) {
      index[d] = rest % sizes[d];
      rest /= sizes[d];
      so += index[d] * ss[d];
      dso += index[d] * ds[d];
    }
    for (int64_t r = begin; r < end; ++r) {
      copyRow(src + so + c0 * innerSrc, innerSrc, dst + dso + c0 * innerDst,
              innerDst, c1 - c0);
      for (int d = dims - 2; d >= 0; --d) {
        so += ss[d];
        dso += ds[d];
        if (++index[d] < sizes[d])
          break;
        so -= index[d] * ss[d];
        dso -= index[d] * ds[d];
        index[d] = 0;
      }
    }
  };
  if (!worthThreads(outer * inner)) {
    rows(0, outer, 0, inner);
    return;
  }
#pragma omp parallel
  {
    const int t = omp_get_thread_num(), threads = omp_get_num_threads();
    int64_t begin, end;
    if (outer >= threads) {
      threadRange(outer, t, threads, begin, end);
      rows(begin, end, 0, inner);
    } else { // few long rows: split the columns
      threadRange(inner, t, threads, begin, end);
      rows(0, outer, begin, end);
    }
  }
}

//===----------------------------------------------------------------------===//
// Reduce.
//===----------------------------------------------------------------------===//

struct Dim {
  int64_t size, srcStride, dstStride;
  bool reduced;
};

/// Offsets of the multi-index `flat` of `dims` (row-major).
void offsetsOf(const std::vector<Dim> &dims, int64_t flat, int64_t &src,
               int64_t &dst) {
  src = dst = 0;
  for (int64_t d = static_cast<int64_t>(dims.size()) - 1; d >= 0; --d) {
    const int64_t i = flat % dims[d].size;
    flat /= dims[d].size;
    src += i * dims[d].srcStride;
    dst += i * dims[d].dstStride;
  }
}

inline float maxOf(float acc, float v) {
  return (v > acc || v != v) ? v : acc; // a NaN, once in, stays
}

} // namespace

void stridedCopy(int rank, const int64_t *shape, const float *src,
                 const int64_t *srcStrides, float *dst,
                 const int64_t *dstStrides) {
  stridedCopyImpl(rank, shape, src, srcStrides, dst, dstStrides);
}

void stridedCopy(int rank, const int64_t *shape, const int64_t *src,
                 const int64_t *srcStrides, int64_t *dst,
                 const int64_t *dstStrides) {
  stridedCopyImpl(rank, shape, src, srcStrides, dst, dstStrides);
}

void stridedCopy(int rank, const int64_t *shape, const bf16 *src,
                 const int64_t *srcStrides, bf16 *dst,
                 const int64_t *dstStrides) {
  stridedCopyImpl(rank, shape, src, srcStrides, dst, dstStrides);
}

void reduce(Reduction kind, int rank, const int64_t *shape, const float *src,
            const int64_t *dstStrides, float *dst, int64_t dstCount) {
  const float init =
      kind == Reduction::Max ? -std::numeric_limits<float>::infinity() : 0.0f;
  // Row-major strides of the input, then coalesced dims.
  std::vector<int64_t> srcStrides(rank > 0 ? rank : 1, 1);
  for (int d = rank - 2; d >= 0; --d)
    srcStrides[d] = srcStrides[d + 1] * shape[d + 1];
  int64_t total = 1;
  for (int d = 0; d < rank; ++d)
    total *= shape[d];
  std::vector<Dim> kept, reducedDims, all;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 1)
      continue;
    Dim dim{shape[d], srcStrides[d], dstStrides[d], dstStrides[d] == 0};
    if (!all.empty() && all.back().reduced == dim.reduced &&
        all.back().srcStride == dim.srcStride * dim.size &&
        all.back().dstStride == dim.dstStride * dim.size) {
      all.back().size *= dim.size;
      all.back().srcStride = dim.srcStride;
      all.back().dstStride = dim.dstStride;
      continue;
    }
    all.push_back(dim);
  }
  int64_t keptCount = 1;
  for (const Dim &dim : all) {
    (dim.reduced ? reducedDims : kept).push_back(dim);
    if (!dim.reduced)
      keptCount *= dim.size;
  }
  if (total == 0) {
    const float empty = kind == Reduction::Mean
                            ? std::numeric_limits<float>::quiet_NaN()
                            : init;
    std::fill(dst, dst + std::max<int64_t>(dstCount, 0), empty);
    return;
  }
  if (keptCount != dstCount)
    std::fill(dst, dst + std::max<int64_t>(dstCount, 0), init);
  const int64_t reducedCount = total / keptCount;
  const double divisor =
      kind == Reduction::Mean ? static_cast<double>(reducedCount) : 1.0;
  const bool innerReduced = all.empty() || all.back().reduced;

  if (innerReduced) {
    // Each output sums spans of the innermost (reduced, contiguous) dim.
    int64_t span = 1;
    std::vector<Dim> outerReduced = reducedDims;
    if (!outerReduced.empty()) {
      span = outerReduced.back().size;
      outerReduced.pop_back();
    }
    const int64_t spans = reducedCount / span;
#pragma omp parallel for schedule(static) if (worthThreads(total))
    for (int64_t o = 0; o < keptCount; ++o) {
      int64_t base, out;
      offsetsOf(kept, o, base, out);
      double sum = 0.0;
      float max = init;
      for (int64_t r = 0; r < spans; ++r) {
        int64_t offset, unused;
        offsetsOf(outerReduced, r, offset, unused);
        const float *p = src + base + offset;
        if (kind == Reduction::Max)
          max = maxOf(max, rowMax(p, span));
        else
          sum += sumDouble(p, span);
      }
      dst[out] =
          kind == Reduction::Max ? max : static_cast<float>(sum / divisor);
    }
    return;
  }

  // The innermost dim is kept (contiguous in the input): blocks of adjacent
  // outputs accumulate row by row over the reduced dims.
  const Dim column = kept.back();
  std::vector<Dim> outerKept(kept.begin(), kept.end() - 1);
  const int64_t outerCount = keptCount / column.size;
  const int64_t block = 512;
  const int64_t blocks = (column.size + block - 1) / block;
#pragma omp parallel if (worthThreads(total))
  {
    std::vector<double> sums(block);
    std::vector<float> maxes(block);
#pragma omp for schedule(static)
    for (int64_t item = 0; item < outerCount * blocks; ++item) {
      const int64_t o = item / blocks, c0 = (item % blocks) * block;
      const int64_t width = std::min(block, column.size - c0);
      int64_t base, out;
      offsetsOf(outerKept, o, base, out);
      base += c0;
      out += c0 * column.dstStride;
      std::fill(sums.begin(), sums.end(), 0.0);
      std::fill(maxes.begin(), maxes.end(), init);
      for (int64_t r = 0; r < reducedCount; ++r) {
        int64_t offset, unused;
        offsetsOf(reducedDims, r, offset, unused);
        const float *p = src + base + offset;
        if (kind == Reduction::Max)
          for (int64_t j = 0; j < width; ++j)
            maxes[j] = maxOf(maxes[j], p[j]);
        else
          for (int64_t j = 0; j < width; ++j)
            sums[j] += static_cast<double>(p[j]);
      }
      for (int64_t j = 0; j < width; ++j)
        dst[out + j * column.dstStride] =
            kind == Reduction::Max ? maxes[j]
                                   : static_cast<float>(sums[j] / divisor);
    }
  }
}

//===----------------------------------------------------------------------===//
// Argmax and softmax.
//===----------------------------------------------------------------------===//

namespace {

template <typename T> bool isNan(T v) { return v != v; }

/// First index of the maximum; a NaN counts as the maximum (first NaN wins).
template <typename T>
void argmaxImpl(int64_t outer, int64_t axis, int64_t inner, const T *src,
                int64_t *dst) {
  if (axis <= 0)
    return;
  const int64_t block = 256;
  const int64_t blocks = (inner + block - 1) / block;
#pragma omp parallel if (worthThreads(outer * axis * inner))
  {
    std::vector<T> values(block);
#pragma omp for schedule(static)
    for (int64_t item = 0; item < outer * blocks; ++item) {
      const int64_t o = item / blocks, j0 = (item % blocks) * block;
      const int64_t width = std::min(block, inner - j0);
      const T *base = src + o * axis * inner + j0;
      int64_t *best = dst + o * inner + j0;
      for (int64_t j = 0; j < width; ++j) {
        best[j] = 0;
        values[j] = base[j];
      }
      for (int64_t i = 1; i < axis; ++i) {
        const T *row = base + i * inner;
        for (int64_t j = 0; j < width; ++j) {
          const T v = row[j];
          if (!isNan(values[j]) && (v > values[j] || isNan(v))) {
            values[j] = v;
            best[j] = i;
          }
        }
      }
    }
  }
}

} // namespace

void argmax(int64_t outer, int64_t axis, int64_t inner, const float *src,
            int64_t *dst) {
  argmaxImpl(outer, axis, inner, src, dst);
}

void argmax(int64_t outer, int64_t axis, int64_t inner, const int64_t *src,
            int64_t *dst) {
  argmaxImpl(outer, axis, inner, src, dst);
}

void softmax(int64_t outer, int64_t axis, int64_t inner, bool log,
             const float *src, float *dst) {
  if (outer <= 0 || axis <= 0 || inner <= 0)
    return;
  if (inner == 1) {
#pragma omp parallel for schedule(static) if (worthThreads(outer * axis * 4))
    for (int64_t o = 0; o < outer; ++o) {
      const float *in = src + o * axis;
      float *out = dst + o * axis;
      const float max = rowMax(in, axis);
      const double sum = expShiftSum(in, out, axis, max);
      if (log) {
        const float logSum = static_cast<float>(std::log(sum));
        for (int64_t i = 0; i < axis; ++i)
          out[i] = (in[i] - max) - logSum;
      } else {
        const float inv = static_cast<float>(1.0 / sum);
        for (int64_t i = 0; i < axis; ++i)
          out[i] *= inv;
      }
    }
    return;
  }
  // Softmax down columns: blocks of adjacent columns, row by row.
  const int64_t block = 512;
  const int64_t blocks = (inner + block - 1) / block;
#pragma omp parallel if (worthThreads(outer * axis * inner * 4))
  {
    std::vector<float> maxes(block), factors(block);
    std::vector<double> sums(block);
#pragma omp for schedule(static)
    for (int64_t item = 0; item < outer * blocks; ++item) {
      const int64_t o = item / blocks, j0 = (item % blocks) * block;
      const int64_t width = std::min(block, inner - j0);
      const float *in = src + o * axis * inner + j0;
      float *out = dst + o * axis * inner + j0;
      std::fill(maxes.begin(), maxes.end(),
                -std::numeric_limits<float>::infinity());
      std::fill(sums.begin(), sums.end(), 0.0);
      for (int64_t i = 0; i < axis; ++i)
        for (int64_t j = 0; j < width; ++j)
          maxes[j] = maxOf(maxes[j], in[i * inner + j]);
      for (int64_t i = 0; i < axis; ++i) {
        expDifference(in + i * inner, maxes.data(), out + i * inner, width);
        for (int64_t j = 0; j < width; ++j)
          sums[j] += static_cast<double>(out[i * inner + j]);
      }
      for (int64_t j = 0; j < width; ++j)
        factors[j] = log ? static_cast<float>(std::log(sums[j]))
                         : static_cast<float>(1.0 / sums[j]);
      for (int64_t i = 0; i < axis; ++i)
        for (int64_t j = 0; j < width; ++j)
          out[i * inner + j] = log ? (in[i * inner + j] - maxes[j]) - factors[j]
                                   : out[i * inner + j] * factors[j];
    }
  }
}

//===----------------------------------------------------------------------===//
// Gather.
//===----------------------------------------------------------------------===//

namespace {

/// The position in `indices` of the first index outside [0, axis), or -1.
int64_t firstBadIndex(int64_t count, const int64_t *indices, int64_t axis) {
  for (int64_t i = 0; i < count; ++i)
    if (indices[i] < 0 || indices[i] >= axis)
      return i;
  return -1;
}

template <typename T>
int64_t gatherImpl(int64_t batch, int64_t pre, int64_t axis, int64_t inner,
                   int64_t count, const T *x, const int64_t *indices, T *out) {
  const int64_t bad = firstBadIndex(batch * count, indices, axis);
  if (bad >= 0)
    return bad; // nothing written
  const int64_t rows = batch * pre * count;
#pragma omp parallel for schedule(static) if (worthThreads(rows * inner))
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t c = r % count, bp = r / count, b = bp / pre;
    const T *from = x + (bp * axis + indices[b * count + c]) * inner;
    std::copy(from, from + inner, out + r * inner);
  }
  return -1;
}

} // namespace

int64_t gather(int64_t batch, int64_t pre, int64_t axis, int64_t inner,
               int64_t count, const float *x, const int64_t *indices,
               float *out) {
  return gatherImpl(batch, pre, axis, inner, count, x, indices, out);
}

int64_t gather(int64_t batch, int64_t pre, int64_t axis, int64_t inner,
               int64_t count, const int64_t *x, const int64_t *indices,
               int64_t *out) {
  return gatherImpl(batch, pre, axis, inner, count, x, indices, out);
}

int64_t gatherGrad(int64_t batch, int64_t pre, int64_t axis, int64_t inner,
                   int64_t count, const float *grad, const int64_t *indices,
                   float *dx) {
  const int64_t bad = firstBadIndex(batch * count, indices, axis);
  if (bad >= 0)
    return bad; // nothing written
  fill(dx, batch * pre * axis * inner, 0.0f);
  // Work items: (batch, pre) slabs, each split into column chunks when there
  // are fewer slabs than threads. Every dx element has one owner, which
  // adds its gradients in index order (as the reference).
  const int64_t slabs = batch * pre;
  const int threads = maxThreads();
  int64_t chunks = 1;
  if (slabs < threads)
    chunks = std::min<int64_t>(inner, (2 * threads + slabs - 1) / slabs);
  chunks = std::max<int64_t>(chunks, 1);
  const int64_t chunk = (inner + chunks - 1) / chunks;
  chunks = inner > 0 ? (inner + chunk - 1) / chunk : 0;
#pragma omp parallel for schedule(                                             \
    static) if (worthThreads(slabs * count * inner))
  for (int64_t item = 0; item < slabs * chunks; ++item) {
    const int64_t bp = item / chunks, b = bp / pre;
    const int64_t j0 = (item % chunks) * chunk;
    const int64_t width = std::min(chunk, inner - j0);
    for (int64_t c = 0; c < count; ++c) {
      float *to = dx + (bp * axis + indices[b * count + c]) * inner + j0;
      const float *from = grad + (bp * count + c) * inner + j0;
      for (int64_t j = 0; j < width; ++j)
        to[j] += from[j];
    }
  }
  return -1;
}

} // namespace clip::cpu
