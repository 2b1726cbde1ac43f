//===- Kernels.cpp - Naive kernels of the reference evaluator -------------===//
#include "compiler/Reference/Kernels.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace mlir::clip::reference {

namespace {

/// Calls `fn(index, flat)` for every multi-index of `shape` in row-major
/// order.
template <typename Fn> void forEachIndex(llvm::ArrayRef<int64_t> shape, Fn fn) {
  const int64_t count = elementCount(shape);
  llvm::SmallVector<int64_t, 6> index(shape.size(), 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    fn(llvm::ArrayRef<int64_t>(index), flat);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// Offset in `t` of the element that NumPy broadcasting reads for `outIndex`
/// (trailing dims aligned; a dim of size 1 always reads index 0).
int64_t broadcastOffset(llvm::ArrayRef<int64_t> shape,
                        llvm::ArrayRef<int64_t> strides,
                        llvm::ArrayRef<int64_t> outIndex) {
  const size_t lead = outIndex.size() - shape.size();
  int64_t offset = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1)
      offset += outIndex[lead + d] * strides[d];
  return offset;
}

/// Splits `shape` around `axis` into (outer, size, inner) element counts.
struct AxisSplit {
  int64_t outer, size, inner;
};
AxisSplit splitAt(llvm::ArrayRef<int64_t> shape, int64_t axis) {
  return {elementCount(shape.take_front(axis)), shape[axis],
          elementCount(shape.drop_front(axis + 1))};
}

} // namespace

double maxOf(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  return a > b ? a : b;
}

double minOf(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  return a < b ? a : b;
}

//===----------------------------------------------------------------------===//
// Elementwise.
//===----------------------------------------------------------------------===//

Tensor mapElements(const Tensor &x, llvm::function_ref<double(double)> fn) {
  Tensor out = x;
  for (double &v : out.data)
    v = fn(v);
  return out;
}

Tensor zipElements(const Tensor &a, const Tensor &b,
                   llvm::ArrayRef<int64_t> outShape,
                   llvm::function_ref<double(double, double)> fn) {
  Tensor out = Tensor::filled(outShape);
  auto as = a.strides(), bs = b.strides();
  forEachIndex(outShape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    out.data[flat] = fn(a.data[broadcastOffset(a.shape, as, index)],
                        b.data[broadcastOffset(b.shape, bs, index)]);
  });
  return out;
}

Tensor select(const Tensor &cond, const Tensor &onTrue, const Tensor &onFalse,
              llvm::ArrayRef<int64_t> outShape) {
  Tensor out = Tensor::filled(outShape);
  auto cs = cond.strides(), ts = onTrue.strides(), fs = onFalse.strides();
  forEachIndex(outShape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    out.data[flat] =
        cond.data[broadcastOffset(cond.shape, cs, index)] != 0.0
            ? onTrue.data[broadcastOffset(onTrue.shape, ts, index)]
            : onFalse.data[broadcastOffset(onFalse.shape, fs, index)];
  });
  return out;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double geluTanh(double x) {
  const double c = std::sqrt(2.0 / M_PI);
  return 0.5 * x * (1.0 + std::tanh(c * (x + 0.044715 * x * x * x)));
}
double quickGelu(double x) { return x * sigmoid(1.702 * x); }

double geluDerivative(double x) {
  const double cdf = 0.5 * (1.0 + std::erf(x / std::sqrt(2.0)));
  const double pdf = std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI);
  return cdf + x * pdf;
}
double geluTanhDerivative(double x) {
  const double c = std::sqrt(2.0 / M_PI), k = 0.044715;
  const double t = std::tanh(c * (x + k * x * x * x));
  return 0.5 * (1.0 + t) +
         0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * k * x * x);
}
double quickGeluDerivative(double x) {
  const double s = sigmoid(1.702 * x);
  return s + 1.702 * x * s * (1.0 - s);
}

//===----------------------------------------------------------------------===//
// Matmul.
//===----------------------------------------------------------------------===//

Tensor matmul(const Tensor &a, const Tensor &b, bool transposeA,
              bool transposeB, llvm::ArrayRef<int64_t> outShape) {
  const int64_t ar = a.rank(), br = b.rank(), outRank = outShape.size();
  const int64_t m = outShape[outRank - 2], n = outShape[outRank - 1];
  const int64_t k = transposeA ? a.shape[ar - 2] : a.shape[ar - 1];
  auto as = a.strides(), bs = b.strides();
  // Strides of a's (m, k) and b's (k, n) walks, after the transposes.
  const int64_t aM = transposeA ? as[ar - 1] : as[ar - 2];
  const int64_t aK = transposeA ? as[ar - 2] : as[ar - 1];
  const int64_t bK = transposeB ? bs[br - 1] : bs[br - 2];
  const int64_t bN = transposeB ? bs[br - 2] : bs[br - 1];

  // The leading dims of each operand broadcast against the result's.
  llvm::ArrayRef<int64_t> aBatch =
                              llvm::ArrayRef<int64_t>(a.shape).drop_back(2),
                          bBatch =
                              llvm::ArrayRef<int64_t>(b.shape).drop_back(2);
  llvm::ArrayRef<int64_t> aBatchStrides =
                              llvm::ArrayRef<int64_t>(as).drop_back(2),
                          bBatchStrides =
                              llvm::ArrayRef<int64_t>(bs).drop_back(2);

  Tensor out = Tensor::filled(outShape);
  llvm::ArrayRef<int64_t> batchShape = outShape.drop_back(2);
  forEachIndex(batchShape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    const int64_t aBase = broadcastOffset(aBatch, aBatchStrides, index);
    const int64_t bBase = broadcastOffset(bBatch, bBatchStrides, index);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0.0;
        for (int64_t p = 0; p < k; ++p)
          sum +=
              a.data[aBase + i * aM + p * aK] * b.data[bBase + p * bK + j * bN];
        out.data[(flat * m + i) * n + j] = sum;
      }
  });
  return out;
}

//===----------------------------------------------------------------------===//
// Reductions and softmax.
//===----------------------------------------------------------------------===//

Tensor reduce(const Tensor &x, llvm::ArrayRef<int64_t> axes, bool keepdims,
              Reduction kind) {
  llvm::SmallVector<bool> reduced(x.rank(), false);
  for (int64_t axis : axes)
    reduced[axis] = true;
  llvm::SmallVector<int64_t, 4> keptShape; // reduced dims as 1
  int64_t count = 1;
  for (int64_t d = 0; d < x.rank(); ++d) {
    keptShape.push_back(reduced[d] ? 1 : x.shape[d]);
    if (reduced[d])
      count *= x.shape[d];
  }
  const double init =
      kind == Reduction::Max ? -std::numeric_limits<double>::infinity() : 0.0;
  Tensor out = Tensor::filled(keptShape, init);
  auto os = out.strides();
  forEachIndex(x.shape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    int64_t o = 0;
    for (int64_t d = 0; d < x.rank(); ++d)
      if (!reduced[d])
        o += index[d] * os[d];
    out.data[o] = kind == Reduction::Max ? maxOf(out.data[o], x.data[flat])
                                         : out.data[o] + x.data[flat];
  });
  if (kind == Reduction::Mean)
    for (double &v : out.data)
      v /= static_cast<double>(count);
  if (!keepdims) {
    llvm::SmallVector<int64_t, 4> dropped;
    for (int64_t d = 0; d < x.rank(); ++d)
      if (!reduced[d])
        dropped.push_back(x.shape[d]);
    out.shape = dropped;
  }
  return out;
}

Tensor argmax(const Tensor &x, int64_t axis, bool keepdims) {
  auto [outer, size, inner] = splitAt(x.shape, axis);
  llvm::SmallVector<int64_t, 4> shape(x.shape);
  if (keepdims)
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  Tensor out = Tensor::filled(shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      int64_t best = 0;
      double bestValue = x.data[o * size * inner + j];
      for (int64_t i = 1; i < size; ++i) {
        double v = x.data[(o * size + i) * inner + j];
        // First maximum wins; a NaN counts as the maximum (as torch.argmax).
        if (!std::isnan(bestValue) && (v > bestValue || std::isnan(v))) {
          best = i;
          bestValue = v;
        }
      }
      out.data[o * inner + j] = static_cast<double>(best);
    }
  return out;
}

Tensor softmax(const Tensor &x, int64_t axis, bool log) {
  auto [outer, size, inner] = splitAt(x.shape, axis);
  Tensor out = x;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      auto at = [&](int64_t i) { return (o * size + i) * inner + j; };
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < size; ++i)
        max = maxOf(max, x.data[at(i)]);
      double sum = 0.0;
      for (int64_t i = 0; i < size; ++i)
        sum += std::exp(x.data[at(i)] - max);
      for (int64_t i = 0; i < size; ++i)
        out.data[at(i)] = log ? x.data[at(i)] - max - std::log(sum)
                              : std::exp(x.data[at(i)] - max) / sum;
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Layout.
//===----------------------------------------------------------------------===//

Tensor reshape(const Tensor &x, llvm::ArrayRef<int64_t> outShape) {
  return Tensor(outShape, x.data);
}

Tensor transpose(const Tensor &x, llvm::ArrayRef<int64_t> permutation) {
  llvm::SmallVector<int64_t, 4> shape;
  for (int64_t p : permutation)
    shape.push_back(x.shape[p]);
  Tensor out = Tensor::filled(shape);
  auto xs = x.strides();
  forEachIndex(shape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    int64_t offset = 0;
    for (size_t i = 0; i < permutation.size(); ++i)
      offset += index[i] * xs[permutation[i]];
    out.data[flat] = x.data[offset];
  });
  return out;
}

Tensor broadcastTo(const Tensor &x, llvm::ArrayRef<int64_t> outShape) {
  Tensor out = Tensor::filled(outShape);
  auto xs = x.strides();
  forEachIndex(outShape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    out.data[flat] = x.data[broadcastOffset(x.shape, xs, index)];
  });
  return out;
}

Tensor concat(llvm::ArrayRef<const Tensor *> inputs, int64_t axis) {
  llvm::SmallVector<int64_t, 4> shape(inputs.front()->shape);
  shape[axis] = 0;
  for (const Tensor *t : inputs)
    shape[axis] += t->shape[axis];
  Tensor out = Tensor::filled(shape);
  auto [outer, total, inner] = splitAt(shape, axis);
  int64_t offset = 0; // along the axis
  for (const Tensor *t : inputs) {
    const int64_t size = t->shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < size; ++i)
        for (int64_t j = 0; j < inner; ++j)
          out.data[(o * total + offset + i) * inner + j] =
              t->data[(o * size + i) * inner + j];
    offset += size;
  }
  return out;
}

Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t end,
             int64_t step) {
  llvm::SmallVector<int64_t, 4> shape(x.shape);
  shape[axis] = (end - start + step - 1) / step;
  Tensor out = Tensor::filled(shape);
  auto [outer, size, inner] = splitAt(x.shape, axis);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < shape[axis]; ++i)
      for (int64_t j = 0; j < inner; ++j)
        out.data[(o * shape[axis] + i) * inner + j] =
            x.data[(o * size + start + i * step) * inner + j];
  return out;
}

namespace {
/// clip.gather's result shape:
/// x.shape[:axis] + indices.shape[batchDims:] + x.shape[axis+1:].
llvm::SmallVector<int64_t, 4> gatherShape(llvm::ArrayRef<int64_t> xShape,
                                          const Tensor &indices, int64_t axis,
                                          int64_t batchDims) {
  llvm::SmallVector<int64_t, 4> shape(xShape.take_front(axis));
  llvm::append_range(
      shape, llvm::ArrayRef<int64_t>(indices.shape).drop_front(batchDims));
  llvm::append_range(shape, xShape.drop_front(axis + 1));
  return shape;
}

/// Visits each element of clip.gather's result as (its flat index, the flat
/// offset in the input it reads). An index out of range stops the walk and
/// sets `error`.
bool visitGather(llvm::ArrayRef<int64_t> xShape, const Tensor &indices,
                 int64_t axis, int64_t batchDims,
                 llvm::function_ref<void(int64_t, int64_t)> visit,
                 std::string &error) {
  auto shape = gatherShape(xShape, indices, axis, batchDims);
  const int64_t picked = indices.rank() - batchDims;
  llvm::SmallVector<int64_t, 4> xs(xShape.size(), 1);
  for (int64_t d = static_cast<int64_t>(xShape.size()) - 2; d >= 0; --d)
    xs[d] = xs[d + 1] * xShape[d + 1];
  auto is = indices.strides();
  bool ok = true;
  forEachIndex(shape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    if (!ok)
      return;
    // Which index: the shared batch dims, then the picked dims.
    int64_t iOffset = 0;
    for (int64_t d = 0; d < batchDims; ++d)
      iOffset += index[d] * is[d];
    for (int64_t d = 0; d < picked; ++d)
      iOffset += index[axis + d] * is[batchDims + d];
    const double raw = indices.data[iOffset];
    if (raw < 0 || raw >= static_cast<double>(xShape[axis])) {
      error = "index " + std::to_string(static_cast<int64_t>(raw)) +
              " is out of range for dim " + std::to_string(axis) + " of size " +
              std::to_string(xShape[axis]);
      ok = false;
      return;
    }
    int64_t xOffset = static_cast<int64_t>(raw) * xs[axis];
    for (int64_t d = 0; d < axis; ++d)
      xOffset += index[d] * xs[d];
    for (int64_t d = axis + 1; d < static_cast<int64_t>(xShape.size()); ++d)
      xOffset += index[d - 1 + picked] * xs[d];
    visit(flat, xOffset);
  });
  return ok;
}
} // namespace

std::optional<Tensor> gather(const Tensor &x, const Tensor &indices,
                             int64_t axis, int64_t batchDims,
                             std::string &error) {
  Tensor out = Tensor::filled(gatherShape(x.shape, indices, axis, batchDims));
  if (!visitGather(
          x.shape, indices, axis, batchDims,
          [&](int64_t flat, int64_t offset) {
            out.data[flat] = x.data[offset];
          },
          error))
    return std::nullopt;
  return out;
}

std::optional<Tensor> gatherGrad(const Tensor &grad, const Tensor &indices,
                                 llvm::ArrayRef<int64_t> inputShape,
                                 int64_t axis, int64_t batchDims,
                                 std::string &error) {
  Tensor out = Tensor::filled(inputShape);
  if (!visitGather(
          inputShape, indices, axis, batchDims,
          [&](int64_t flat, int64_t offset) {
            out.data[offset] += grad.data[flat];
          },
          error))
    return std::nullopt;
  return out;
}

Tensor sliceGrad(const Tensor &grad, llvm::ArrayRef<int64_t> inputShape,
                 int64_t axis, int64_t start, int64_t step) {
  Tensor out = Tensor::filled(inputShape);
  auto [outer, size, inner] = splitAt(out.shape, axis);
  const int64_t count = grad.shape[axis];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < count; ++i)
      for (int64_t j = 0; j < inner; ++j)
        out.data[(o * size + start + i * step) * inner + j] =
            grad.data[(o * count + i) * inner + j];
  return out;
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, batch norm.
//===----------------------------------------------------------------------===//

Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor *bias,
              llvm::ArrayRef<int64_t> stride, llvm::ArrayRef<int64_t> padding,
              llvm::ArrayRef<int64_t> dilation, int64_t groups) {
  const int64_t batch = x.shape[0], channels = x.shape[1], height = x.shape[2],
                width = x.shape[3];
  const int64_t outChannels = w.shape[0], groupChannels = w.shape[1],
                kh = w.shape[2], kw = w.shape[3];
  const int64_t outPerGroup = outChannels / groups;
  const int64_t oh =
      (height + 2 * padding[0] - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
  const int64_t ow =
      (width + 2 * padding[1] - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
  Tensor out = Tensor::filled({batch, outChannels, oh, ow});
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < outChannels; ++o) {
      const int64_t group = o / outPerGroup;
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          double sum = bias ? bias->data[o] : 0.0;
          for (int64_t c = 0; c < groupChannels; ++c)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t iy = y * stride[0] - padding[0] + i * dilation[0];
                const int64_t ix =
                    xo * stride[1] - padding[1] + j * dilation[1];
                if (iy < 0 || iy >= height || ix < 0 || ix >= width)
                  continue; // zero padding
                const int64_t ic = group * groupChannels + c;
                sum +=
                    x.data[((n * channels + ic) * height + iy) * width + ix] *
                    w.data[((o * groupChannels + c) * kh + i) * kw + j];
              }
          out.data[((n * outChannels + o) * oh + y) * ow + xo] = sum;
        }
    }
  return out;
}

Conv2DGradResult conv2dGrad(const Tensor &grad, const Tensor &x,
                            const Tensor &w, llvm::ArrayRef<int64_t> stride,
                            llvm::ArrayRef<int64_t> padding,
                            llvm::ArrayRef<int64_t> dilation, int64_t groups) {
  const int64_t batch = x.shape[0], channels = x.shape[1], height = x.shape[2],
                width = x.shape[3];
  const int64_t outChannels = w.shape[0], groupChannels = w.shape[1],
                kh = w.shape[2], kw = w.shape[3];
  const int64_t outPerGroup = outChannels / groups;
  const int64_t oh = grad.shape[2], ow = grad.shape[3];
  Conv2DGradResult r{Tensor::filled(x.shape), Tensor::filled(w.shape)};
  // The forward loop nest, each multiply-add turned into its two adjoints.
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < outChannels; ++o) {
      const int64_t group = o / outPerGroup;
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          const double g =
              grad.data[((n * outChannels + o) * oh + y) * ow + xo];
          for (int64_t c = 0; c < groupChannels; ++c)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t iy = y * stride[0] - padding[0] + i * dilation[0];
                const int64_t ix =
                    xo * stride[1] - padding[1] + j * dilation[1];
                if (iy < 0 || iy >= height || ix < 0 || ix >= width)
                  continue;
                const int64_t ic = group * groupChannels + c;
                const int64_t xi =
                    ((n * channels + ic) * height + iy) * width + ix;
                const int64_t wi = ((o * groupChannels + c) * kh + i) * kw + j;
                r.inputGrad.data[xi] += g * w.data[wi];
                r.weightGrad.data[wi] += g * x.data[xi];
              }
        }
    }
  return r;
}

Tensor avgPool2dGrad(const Tensor &grad, llvm::ArrayRef<int64_t> inputShape,
                     llvm::ArrayRef<int64_t> kernel,
                     llvm::ArrayRef<int64_t> stride,
                     llvm::ArrayRef<int64_t> padding) {
  Tensor out = Tensor::filled(inputShape);
  const int64_t planes = inputShape[0] * inputShape[1];
  const int64_t height = inputShape[2], width = inputShape[3];
  const int64_t oh = grad.shape[2], ow = grad.shape[3];
  const double share = 1.0 / static_cast<double>(kernel[0] * kernel[1]);
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo) {
        const double g = grad.data[(p * oh + y) * ow + xo] * share;
        for (int64_t i = 0; i < kernel[0]; ++i)
          for (int64_t j = 0; j < kernel[1]; ++j) {
            const int64_t iy = y * stride[0] - padding[0] + i;
            const int64_t ix = xo * stride[1] - padding[1] + j;
            if (iy >= 0 && iy < height && ix >= 0 && ix < width)
              out.data[(p * height + iy) * width + ix] += g;
          }
      }
  return out;
}

Tensor avgPool2d(const Tensor &x, llvm::ArrayRef<int64_t> kernel,
                 llvm::ArrayRef<int64_t> stride,
                 llvm::ArrayRef<int64_t> padding) {
  const int64_t batch = x.shape[0], channels = x.shape[1], height = x.shape[2],
                width = x.shape[3];
  const int64_t oh = (height + 2 * padding[0] - kernel[0]) / stride[0] + 1;
  const int64_t ow = (width + 2 * padding[1] - kernel[1]) / stride[1] + 1;
  // Padded zeros count (count_include_pad): every window divides by k*k.
  const double windowSize = static_cast<double>(kernel[0] * kernel[1]);
  Tensor out = Tensor::filled({batch, channels, oh, ow});
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          double sum = 0.0;
          for (int64_t i = 0; i < kernel[0]; ++i)
            for (int64_t j = 0; j < kernel[1]; ++j) {
              const int64_t iy = y * stride[0] - padding[0] + i;
              const int64_t ix = xo * stride[1] - padding[1] + j;
              if (iy >= 0 && iy < height && ix >= 0 && ix < width)
                sum += x.data[((n * channels + c) * height + iy) * width + ix];
            }
          out.data[((n * channels + c) * oh + y) * ow + xo] = sum / windowSize;
        }
  return out;
}

Tensor batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 const Tensor &mean, const Tensor &var, double epsilon) {
  auto [outer, channels, inner] = splitAt(x.shape, 1);
  Tensor out = x;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t j = 0; j < inner; ++j) {
        double &v = out.data[(o * channels + c) * inner + j];
        v = (v - mean.data[c]) / std::sqrt(var.data[c] + epsilon) *
                scale.data[c] +
            bias.data[c];
      }
  return out;
}

BatchNormTrainResult batchNormTrain(const Tensor &x, const Tensor &scale,
                                    const Tensor &bias,
                                    const Tensor &runningMean,
                                    const Tensor &runningVar, double epsilon,
                                    double momentum) {
  auto [outer, channels, inner] = splitAt(x.shape, 1);
  const double count = static_cast<double>(outer * inner);
  Tensor mean = Tensor::filled({channels}), var = Tensor::filled({channels});
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0.0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < inner; ++j)
        sum += x.data[(o * channels + c) * inner + j];
    mean.data[c] = sum / count;
    double squares = 0.0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < inner; ++j) {
        double d = x.data[(o * channels + c) * inner + j] - mean.data[c];
        squares += d * d;
      }
    var.data[c] = squares / count; // biased: what normalizes the batch
  }
  BatchNormTrainResult result{batchNorm(x, scale, bias, mean, var, epsilon),
                              runningMean, runningVar};
  for (int64_t c = 0; c < channels; ++c) {
    const double unbiased = var.data[c] * count / (count - 1.0);
    result.runningMean.data[c] =
        (1.0 - momentum) * runningMean.data[c] + momentum * mean.data[c];
    result.runningVar.data[c] =
        (1.0 - momentum) * runningVar.data[c] + momentum * unbiased;
  }
  return result;
}

LayerNormResult layerNorm(const Tensor &x, const Tensor &weight,
                          const Tensor &bias, double epsilon) {
  const int64_t width = x.shape.back(), rows = x.numel() / width;
  llvm::SmallVector<int64_t, 4> statsShape(x.shape);
  statsShape.back() = 1;
  LayerNormResult r{Tensor::filled(x.shape), Tensor::filled(statsShape),
                    Tensor::filled(statsShape)};
  for (int64_t row = 0; row < rows; ++row) {
    const double *in = x.data.data() + row * width;
    double sum = 0.0;
    for (int64_t i = 0; i < width; ++i)
      sum += in[i];
    const double mean = sum / static_cast<double>(width);
    double squares = 0.0;
    for (int64_t i = 0; i < width; ++i)
      squares += (in[i] - mean) * (in[i] - mean);
    const double rstd =
        1.0 / std::sqrt(squares / static_cast<double>(width) + epsilon);
    for (int64_t i = 0; i < width; ++i)
      r.output.data[row * width + i] =
          (in[i] - mean) * rstd * weight.data[i] + bias.data[i];
    r.mean.data[row] = mean;
    r.rstd.data[row] = rstd;
  }
  return r;
}

namespace {
/// log(sum(exp(s))) of a row, stable; -inf entries contribute nothing.
double logSumExp(llvm::ArrayRef<double> s) {
  double max = -std::numeric_limits<double>::infinity();
  for (double x : s)
    max = std::max(max, x);
  double sum = 0.0;
  for (double x : s)
    sum += std::exp(x - max);
  return max + std::log(sum);
}
} // namespace

AttentionResult attention(const Tensor &q, const Tensor &k, const Tensor &v,
                          double scale, bool causal) {
  const int64_t rank = q.rank();
  const int64_t lq = q.shape[rank - 2], d = q.shape[rank - 1];
  const int64_t lk = k.shape[rank - 2], dv = v.shape[rank - 1];
  const int64_t batch = q.numel() / (lq * d);
  llvm::SmallVector<int64_t, 4> outShape(q.shape);
  outShape.back() = dv;
  llvm::SmallVector<int64_t, 4> lseShape(q.shape.begin(), q.shape.end() - 1);
  AttentionResult r{Tensor::filled(outShape), Tensor::filled(lseShape)};
  std::vector<double> scores(lk);
  for (int64_t b = 0; b < batch; ++b) {
    const double *qb = q.data.data() + b * lq * d;
    const double *kb = k.data.data() + b * lk * d;
    const double *vb = v.data.data() + b * lk * dv;
    for (int64_t i = 0; i < lq; ++i) {
      for (int64_t j = 0; j < lk; ++j) {
        double dot = 0.0;
        for (int64_t e = 0; e < d; ++e)
          dot += qb[i * d + e] * kb[j * d + e];
        scores[j] = causal && j > i ? -std::numeric_limits<double>::infinity()
                                    : scale * dot;
      }
      const double lse = logSumExp(scores);
      r.lse.data[b * lq + i] = lse;
      double *out = r.output.data.data() + (b * lq + i) * dv;
      for (int64_t j = 0; j < lk; ++j) {
        const double p = std::exp(scores[j] - lse);
        for (int64_t e = 0; e < dv; ++e)
          out[e] += p * vb[j * dv + e];
      }
    }
  }
  return r;
}

/// max(||x_i||, epsilon) per row of x [N, D] (F.normalize's divisor).
static void rowNorms(const Tensor &x, double epsilon, Tensor &out) {
  const int64_t n = x.shape[0], d = x.shape[1];
  for (int64_t i = 0; i < n; ++i) {
    double squares = 0.0;
    for (int64_t e = 0; e < d; ++e)
      squares += x.data[i * d + e] * x.data[i * d + e];
    out.data[i] = std::max(std::sqrt(squares), epsilon);
  }
}

/// x_i / norm_i per row.
static Tensor unitRows(const Tensor &x, const Tensor &norm) {
  const int64_t n = x.shape[0], d = x.shape[1];
  Tensor unit = Tensor::filled(x.shape);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = 0; e < d; ++e)
      unit.data[i * d + e] = x.data[i * d + e] / norm.data[i];
  return unit;
}

/// The gradient of x from that of x / max(||x||, epsilon), per row.
static void throughNorm(const Tensor &unit, const Tensor &dUnit,
                        const Tensor &x, const Tensor &norm, double epsilon,
                        Tensor &dx) {
  const int64_t n = x.shape[0], dim = x.shape[1];
  for (int64_t i = 0; i < n; ++i) {
    const double nrm = norm.data[i];
    double sqNorm = 0.0, proj = 0.0;
    for (int64_t e = 0; e < dim; ++e) {
      sqNorm += x.data[i * dim + e] * x.data[i * dim + e];
      proj += unit.data[i * dim + e] * dUnit.data[i * dim + e];
    }
    const bool clamped = std::sqrt(sqNorm) <= epsilon;
    for (int64_t e = 0; e < dim; ++e)
      dx.data[i * dim + e] =
          clamped ? dUnit.data[i * dim + e] / nrm
                  : (dUnit.data[i * dim + e] - unit.data[i * dim + e] * proj) /
                        nrm;
  }
}

ContrastiveLossResult contrastiveLoss(const Tensor &image, const Tensor &text,
                                      double logitScale, double epsilon) {
  const int64_t n = image.shape[0], d = image.shape[1];
  ContrastiveLossResult r{Tensor::filled({}), Tensor::filled({n, 1}),
                          Tensor::filled({n, 1}), Tensor::filled({n}),
                          Tensor::filled({n})};
  rowNorms(image, epsilon, r.imageNorm);
  rowNorms(text, epsilon, r.textNorm);
  const double scale = std::exp(logitScale);
  Tensor logits = Tensor::filled({n, n});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0.0;
      for (int64_t e = 0; e < d; ++e)
        dot += (image.data[i * d + e] / r.imageNorm.data[i]) *
               (text.data[j * d + e] / r.textNorm.data[j]);
      logits.data[i * n + j] = dot * scale;
    }
  std::vector<double> line(n);
  double imageTerm = 0.0, textTerm = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j)
      line[j] = logits.data[i * n + j];
    r.imageLse.data[i] = logSumExp(line);
    for (int64_t j = 0; j < n; ++j)
      line[j] = logits.data[j * n + i];
    r.textLse.data[i] = logSumExp(line);
    imageTerm += r.imageLse.data[i] - logits.data[i * n + i];
    textTerm += r.textLse.data[i] - logits.data[i * n + i];
  }
  r.loss.data[0] = (imageTerm + textTerm) / (2.0 * static_cast<double>(n));
  return r;
}

LayerNormGradResult layerNormGrad(const Tensor &grad, const Tensor &x,
                                  const Tensor &mean, const Tensor &rstd,
                                  const Tensor &weight) {
  const int64_t width = x.shape.back(), rows = x.numel() / width;
  LayerNormGradResult r{Tensor::filled(x.shape), Tensor::filled({width}),
                        Tensor::filled({width})};
  std::vector<double> xhat(width), dxhat(width);
  for (int64_t row = 0; row < rows; ++row) {
    const double *dy = grad.data.data() + row * width;
    const double *in = x.data.data() + row * width;
    double meanDxhat = 0.0, meanDxhatXhat = 0.0;
    for (int64_t i = 0; i < width; ++i) {
      xhat[i] = (in[i] - mean.data[row]) * rstd.data[row];
      dxhat[i] = dy[i] * weight.data[i];
      meanDxhat += dxhat[i];
      meanDxhatXhat += dxhat[i] * xhat[i];
      r.weightGrad.data[i] += dy[i] * xhat[i];
      r.biasGrad.data[i] += dy[i];
    }
    meanDxhat /= static_cast<double>(width);
    meanDxhatXhat /= static_cast<double>(width);
    for (int64_t i = 0; i < width; ++i)
      r.inputGrad.data[row * width + i] =
          rstd.data[row] * (dxhat[i] - meanDxhat - xhat[i] * meanDxhatXhat);
  }
  return r;
}

AttentionGradResult attentionGrad(const Tensor &grad, const Tensor &q,
                                  const Tensor &k, const Tensor &v,
                                  const Tensor &out, const Tensor &lse,
                                  double scale, bool causal) {
  const int64_t rank = q.rank();
  const int64_t lq = q.shape[rank - 2], d = q.shape[rank - 1];
  const int64_t lk = k.shape[rank - 2], dv = v.shape[rank - 1];
  const int64_t batch = q.numel() / (lq * d);
  AttentionGradResult r{Tensor::filled(q.shape), Tensor::filled(k.shape),
                        Tensor::filled(v.shape)};
  for (int64_t b = 0; b < batch; ++b) {
    const double *qb = q.data.data() + b * lq * d;
    const double *kb = k.data.data() + b * lk * d;
    const double *vb = v.data.data() + b * lk * dv;
    const double *gb = grad.data.data() + b * lq * dv;
    const double *ob = out.data.data() + b * lq * dv;
    double *dq = r.queryGrad.data.data() + b * lq * d;
    double *dk = r.keyGrad.data.data() + b * lk * d;
    double *dvOut = r.valueGrad.data.data() + b * lk * dv;
    for (int64_t i = 0; i < lq; ++i) {
      double rowDot = 0.0; // D_i = sum(dO_i * O_i)
      for (int64_t e = 0; e < dv; ++e)
        rowDot += gb[i * dv + e] * ob[i * dv + e];
      for (int64_t j = 0; j < lk; ++j) {
        if (causal && j > i)
          continue;
        double s = 0.0;
        for (int64_t e = 0; e < d; ++e)
          s += qb[i * d + e] * kb[j * d + e];
        const double p = std::exp(scale * s - lse.data[b * lq + i]);
        double dp = 0.0;
        for (int64_t e = 0; e < dv; ++e) {
          dp += gb[i * dv + e] * vb[j * dv + e];
          dvOut[j * dv + e] += p * gb[i * dv + e];
        }
        const double ds = p * (dp - rowDot) * scale;
        for (int64_t e = 0; e < d; ++e) {
          dq[i * d + e] += ds * kb[j * d + e];
          dk[j * d + e] += ds * qb[i * d + e];
        }
      }
    }
  }
  return r;
}

ContrastiveLossGradResult
contrastiveLossGrad(double grad, const Tensor &image, const Tensor &text,
                    double logitScale, const Tensor &imageNorm,
                    const Tensor &textNorm, const Tensor &imageLse,
                    const Tensor &textLse, double epsilon) {
  const int64_t n = image.shape[0], dim = image.shape[1];
  const double scale = std::exp(logitScale);
  ContrastiveLossGradResult r{Tensor::filled(image.shape),
                              Tensor::filled(text.shape), Tensor::filled({})};
  const Tensor a = unitRows(image, imageNorm), b = unitRows(text, textNorm);
  Tensor da = Tensor::filled(image.shape), db = Tensor::filled(text.shape);
  const double weight = grad / (2.0 * static_cast<double>(n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0.0;
      for (int64_t e = 0; e < dim; ++e)
        dot += a.data[i * dim + e] * b.data[j * dim + e];
      const double logit = scale * dot;
      const double dl =
          weight * (std::exp(logit - imageLse.data[i]) +
                    std::exp(logit - textLse.data[j]) - (i == j ? 2.0 : 0.0));
      r.logitScaleGrad.data[0] += dl * logit;
      for (int64_t e = 0; e < dim; ++e) {
        da.data[i * dim + e] += scale * dl * b.data[j * dim + e];
        db.data[j * dim + e] += scale * dl * a.data[i * dim + e];
      }
    }
  throughNorm(a, da, image, imageNorm, epsilon, r.imageGrad);
  throughNorm(b, db, text, textNorm, epsilon, r.textGrad);
  return r;
}

/// log(sigmoid(x)) without overflow either way.
static double logSigmoid(double x) {
  return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
}

SigmoidLossResult sigmoidLoss(const Tensor &image, const Tensor &text,
                              double logitScale, double logitBias,
                              double epsilon) {
  const int64_t n = image.shape[0], d = image.shape[1];
  SigmoidLossResult r{Tensor::filled({}), Tensor::filled({n, 1}),
                      Tensor::filled({n, 1})};
  rowNorms(image, epsilon, r.imageNorm);
  rowNorms(text, epsilon, r.textNorm);
  const Tensor a = unitRows(image, r.imageNorm), b = unitRows(text, r.textNorm);
  const double scale = std::exp(logitScale);
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0.0;
      for (int64_t e = 0; e < d; ++e)
        dot += a.data[i * d + e] * b.data[j * d + e];
      const double z = i == j ? 1.0 : -1.0;
      total -= logSigmoid(z * (scale * dot + logitBias));
    }
  r.loss.data[0] = total / static_cast<double>(n);
  return r;
}

SigmoidLossGradResult sigmoidLossGrad(double grad, const Tensor &image,
                                      const Tensor &text, double logitScale,
                                      double logitBias,
                                      const Tensor &imageNorm,
                                      const Tensor &textNorm, double epsilon) {
  const int64_t n = image.shape[0], dim = image.shape[1];
  const double scale = std::exp(logitScale);
  SigmoidLossGradResult r{Tensor::filled(image.shape),
                          Tensor::filled(text.shape), Tensor::filled({}),
                          Tensor::filled({})};
  const Tensor a = unitRows(image, imageNorm), b = unitRows(text, textNorm);
  Tensor da = Tensor::filled(image.shape), db = Tensor::filled(text.shape);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0.0;
      for (int64_t e = 0; e < dim; ++e)
        dot += a.data[i * dim + e] * b.data[j * dim + e];
      const double z = i == j ? 1.0 : -1.0;
      const double logit = scale * dot + logitBias;
      // d/dx -log(sigmoid(z x)) = -z sigmoid(-z x).
      const double dl = -grad / static_cast<double>(n) * z /
                        (1.0 + std::exp(z * logit));
      r.logitScaleGrad.data[0] += dl * scale * dot;
      r.logitBiasGrad.data[0] += dl;
      for (int64_t e = 0; e < dim; ++e) {
        da.data[i * dim + e] += scale * dl * b.data[j * dim + e];
        db.data[j * dim + e] += scale * dl * a.data[i * dim + e];
      }
    }
  throughNorm(a, da, image, imageNorm, epsilon, r.imageGrad);
  throughNorm(b, db, text, textNorm, epsilon, r.textGrad);
  return r;
}

Tensor iota(llvm::ArrayRef<int64_t> shape, int64_t dim) {
  Tensor out = Tensor::filled(shape);
  forEachIndex(shape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    out.data[flat] = static_cast<double>(index[dim]);
  });
  return out;
}

Tensor causalMask(llvm::ArrayRef<int64_t> shape, bool boolean) {
  Tensor out = Tensor::filled(shape);
  const size_t rank = shape.size();
  forEachIndex(shape, [&](llvm::ArrayRef<int64_t> index, int64_t flat) {
    const bool visible = index[rank - 1] <= index[rank - 2];
    out.data[flat] =
        boolean ? (visible ? 1.0 : 0.0)
                : (visible ? 0.0 : -std::numeric_limits<double>::infinity());
  });
  return out;
}

} // namespace mlir::clip::reference
