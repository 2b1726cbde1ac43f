//===- Preprocess.cpp - Pillow's bicubic resampling, OpenCLIP's transforms ===//
//
// Compiled with -ffp-contract=off: the filter taps must be the doubles
// Pillow computes (a fused multiply-add would round differently).
//
//===----------------------------------------------------------------------===//
#include "runtime/data/Preprocess.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace clip::data {

namespace {

// libImaging/Resample.c: 8 bits for the result, 2 for overflow.
constexpr int kPrecisionBits = 32 - 8 - 2;

double bicubicFilter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0)
    x = -x;
  if (x < 1.0)
    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0)
    return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

/// The fixed-point taps of outputs [first, first + count) of a resize of
/// `inSize` pixels to `outSize` (precompute_coeffs + normalize_coeffs_8bpc).
struct Taps {
  int ksize = 0;
  std::vector<int> start, length; // per output: first input, number of taps
  std::vector<int32_t> weights;   // per output: ksize taps
};

Taps computeTaps(int inSize, int outSize, int first, int count) {
  constexpr double filterSupport = 2.0;
  // Pillow's box is float: in1 - in0 is computed in float, then widened.
  const float in0 = 0.0f, in1 = static_cast<float>(inSize);
  const double scale = static_cast<double>(in1 - in0) / outSize;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = filterSupport * filterscale;
  Taps taps;
  taps.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  taps.start.resize(count);
  taps.length.resize(count);
  taps.weights.assign(static_cast<size_t>(count) * taps.ksize, 0);
  std::vector<double> k(taps.ksize);
  for (int i = 0; i < count; ++i) {
    const int xx = first + i;
    const double center = in0 + (xx + 0.5) * scale;
    double ww = 0.0;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0)
      xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > inSize)
      xmax = inSize;
    xmax -= xmin;
    for (int x = 0; x < xmax; ++x) {
      const double w = bicubicFilter((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x)
      if (ww != 0.0)
        k[x] /= ww;
    int32_t *fixed = &taps.weights[static_cast<size_t>(i) * taps.ksize];
    for (int x = 0; x < xmax; ++x)
      fixed[x] = k[x] < 0
                     ? static_cast<int32_t>(-0.5 + k[x] * (1 << kPrecisionBits))
                     : static_cast<int32_t>(0.5 + k[x] * (1 << kPrecisionBits));
    taps.start[i] = xmin;
    taps.length[i] = xmax;
  }
  return taps;
}

inline uint8_t clip8(int32_t sum) {
  const int32_t v = sum >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

/// Horizontal pass over `rows` rows of `src` (whose column 0 is source
/// column `column0`): out is rows x taps.start.size() x C.
template <int C>
void horizontalPass(const uint8_t *src, size_t srcStride, const Taps &taps,
                    int column0, int rows, uint8_t *out) {
  const int outWidth = static_cast<int>(taps.start.size());
  for (int y = 0; y < rows; ++y) {
    const uint8_t *row = src + static_cast<size_t>(y) * srcStride;
    uint8_t *dst = out + static_cast<size_t>(y) * outWidth * C;
    for (int x = 0; x < outWidth; ++x) {
      const int32_t *k = &taps.weights[static_cast<size_t>(x) * taps.ksize];
      const uint8_t *p = row + static_cast<size_t>(taps.start[x] - column0) * C;
      int32_t sum[C];
      for (int c = 0; c < C; ++c)
        sum[c] = 1 << (kPrecisionBits - 1);
      for (int t = 0; t < taps.length[x]; ++t)
        for (int c = 0; c < C; ++c)
          sum[c] += p[t * C + c] * k[t];
      for (int c = 0; c < C; ++c)
        dst[x * C + c] = clip8(sum[c]);
    }
  }
}

/// Vertical pass: `src` holds rows `srcStride` apart, row 0 being source row
/// `row0`; each output row (one per tap set) is `rowElems` bytes.
void verticalPass(const uint8_t *src, size_t srcStride, int row0,
                  const Taps &taps, size_t rowElems, uint8_t *out) {
  std::vector<int32_t> sum(rowElems);
  const int outRows = static_cast<int>(taps.start.size());
  for (int y = 0; y < outRows; ++y) {
    std::fill(sum.begin(), sum.end(), 1 << (kPrecisionBits - 1));
    const int32_t *k = &taps.weights[static_cast<size_t>(y) * taps.ksize];
    for (int t = 0; t < taps.length[y]; ++t) {
      const uint8_t *row =
          src + static_cast<size_t>(taps.start[y] + t - row0) * srcStride;
      const int32_t w = k[t];
      for (size_t i = 0; i < rowElems; ++i)
        sum[i] += row[i] * w;
    }
    uint8_t *dst = out + static_cast<size_t>(y) * rowElems;
    for (size_t i = 0; i < rowElems; ++i)
      dst[i] = clip8(sum[i]);
  }
}

void checkImage(const Image &image, const char *what) {
  if (image.channels != 1 && image.channels != 3)
    throw DataError(fmt::format("{}: image with {} channels (1 or 3 expected)",
                                what, image.channels));
  if (image.height <= 0 || image.width <= 0 ||
      image.pixels.size() !=
          static_cast<size_t>(image.height) * image.width * image.channels)
    throw DataError(fmt::format("{}: {}x{}x{} image holds {} bytes", what,
                                image.height, image.width, image.channels,
                                image.pixels.size()));
}

bool inside(const CropBox &box, int64_t height, int64_t width) {
  return box.top >= 0 && box.left >= 0 && box.height > 0 && box.width > 0 &&
         box.top + box.height <= height && box.left + box.width <= width;
}

} // namespace

Image resizeBicubicWindow(const Image &image, const CropBox &crop,
                          int64_t width, int64_t height,
                          const CropBox &window) {
  checkImage(image, "resize");
  if (!inside(crop, image.height, image.width))
    throw std::invalid_argument(
        fmt::format("resize: crop [{}, {}) x [{}, {}) outside the {}x{} image",
                    crop.top, crop.top + crop.height, crop.left,
                    crop.left + crop.width, image.height, image.width));
  if (!inside(window, height, width))
    throw std::invalid_argument(fmt::format(
        "resize: window [{}, {}) x [{}, {}) outside the {}x{} result",
        window.top, window.top + window.height, window.left,
        window.left + window.width, height, width));
  constexpr int64_t kMaxSide = 1 << 24; // Pillow's float box stays exact
  if (crop.width > kMaxSide || crop.height > kMaxSide || width > kMaxSide ||
      height > kMaxSide)
    throw std::invalid_argument("resize: side above 2^24");

  const int C = static_cast<int>(image.channels);
  const size_t srcStride = static_cast<size_t>(image.width) * C;
  const uint8_t *cropOrigin =
      image.pixels.data() + crop.top * srcStride + crop.left * C;
  const bool needHorizontal = width != crop.width;
  const bool needVertical = height != crop.height;
  // Pillow 13 runs the vertical pass first when the height shrinks by more
  // than twice as many pixels as the width (ImagingResampleInner); the
  // intermediate 8-bit rounding makes the order visible.
  const bool horizontalFirst =
      !(crop.height - height > 0 &&
        crop.height - height > (crop.width - width) * 2);

  Taps horizontal, vertical;
  if (needHorizontal)
    horizontal = computeTaps(
        static_cast<int>(crop.width), static_cast<int>(width),
        static_cast<int>(window.left), static_cast<int>(window.width));
  if (needVertical)
    vertical = computeTaps(
        static_cast<int>(crop.height), static_cast<int>(height),
        static_cast<int>(window.top), static_cast<int>(window.height));
  // The source span [first, end) a pass reads for the window.
  auto span = [](const Taps &taps, bool needed, int64_t windowStart,
                 int64_t windowSize) {
    if (!needed)
      return std::pair<int, int>(static_cast<int>(windowStart),
                                 static_cast<int>(windowStart + windowSize));
    int first = taps.start.front(), end = first;
    for (size_t i = 0; i < taps.start.size(); ++i) {
      first = std::min(first, taps.start[i]);
      end = std::max(end, taps.start[i] + taps.length[i]);
    }
    return std::pair<int, int>(first, end);
  };

  Image out;
  out.height = window.height;
  out.width = window.width;
  out.channels = C;
  const size_t outRow = static_cast<size_t>(window.width) * C;
  out.pixels.resize(static_cast<size_t>(window.height) * outRow);

  if (horizontalFirst) {
    // Source rows the vertical pass reads, resampled horizontally (or
    // copied) into `middle`: rows x window.width.
    const auto [rowFirst, rowEnd] =
        span(vertical, needVertical, window.top, window.height);
    const int rows = rowEnd - rowFirst;
    std::vector<uint8_t> middle(static_cast<size_t>(rows) * outRow);
    const uint8_t *firstRow = cropOrigin + rowFirst * srcStride;
    if (needHorizontal) {
      if (C == 1)
        horizontalPass<1>(firstRow, srcStride, horizontal, 0, rows,
                          middle.data());
      else
        horizontalPass<3>(firstRow, srcStride, horizontal, 0, rows,
                          middle.data());
    } else {
      for (int y = 0; y < rows; ++y)
        std::copy_n(firstRow + y * srcStride + window.left * C, outRow,
                    middle.data() + y * outRow);
    }
    if (needVertical)
      verticalPass(middle.data(), outRow, rowFirst, vertical, outRow,
                   out.pixels.data());
    else
      out.pixels = std::move(middle);
    return out;
  }

  // Vertical first: the window's rows over the source columns the
  // horizontal pass reads, then the horizontal pass.
  const auto [colFirst, colEnd] =
      span(horizontal, needHorizontal, window.left, window.width);
  const size_t middleRow = static_cast<size_t>(colEnd - colFirst) * C;
  std::vector<uint8_t> middle(static_cast<size_t>(window.height) * middleRow);
  const uint8_t *firstColumn = cropOrigin + colFirst * C;
  // needVertical holds here: the height shrinks.
  verticalPass(firstColumn, srcStride, 0, vertical, middleRow, middle.data());
  if (needHorizontal) {
    if (C == 1)
      horizontalPass<1>(middle.data(), middleRow, horizontal, colFirst,
                        static_cast<int>(window.height), out.pixels.data());
    else
      horizontalPass<3>(middle.data(), middleRow, horizontal, colFirst,
                        static_cast<int>(window.height), out.pixels.data());
  } else {
    out.pixels = std::move(middle);
  }
  return out;
}

Image resizeBicubic(const Image &image, int64_t width, int64_t height) {
  return resizeBicubicWindow(image, {0, 0, image.height, image.width}, width,
                             height, {0, 0, height, width});
}

CropBox shorterSideResize(int64_t height, int64_t width, int64_t size) {
  // torchvision's _compute_resized_output_size: int(size * long / short),
  // a correctly rounded division as Python's.
  const int64_t shortSide = std::min(height, width),
                longSide = std::max(height, width);
  const auto newLong = static_cast<int64_t>(
      static_cast<double>(size * longSide) / static_cast<double>(shortSide));
  CropBox box;
  if (width <= height) {
    box.width = size;
    box.height = newLong;
  } else {
    box.height = size;
    box.width = newLong;
  }
  return box;
}

CropBox randomResizedCropBox(int64_t height, int64_t width, float scaleMin,
                             float scaleMax, std::mt19937_64 &rng) {
  auto uniform = [&](double lo, double hi) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * u;
  };
  auto randint = [&](int64_t n) { // [0, n), unbiased
    const uint64_t bound = static_cast<uint64_t>(n);
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do
      r = rng();
    while (r >= limit);
    return static_cast<int64_t>(r % bound);
  };
  const double ratioMin = 3.0 / 4.0, ratioMax = 4.0 / 3.0;
  const double area = static_cast<double>(height) * width;
  const double logRatioMin = std::log(ratioMin),
               logRatioMax = std::log(ratioMax);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double targetArea = area * uniform(scaleMin, scaleMax);
    const double aspect = std::exp(uniform(logRatioMin, logRatioMax));
    const auto w =
        static_cast<int64_t>(std::nearbyint(std::sqrt(targetArea * aspect)));
    const auto h =
        static_cast<int64_t>(std::nearbyint(std::sqrt(targetArea / aspect)));
    if (0 < w && w <= width && 0 < h && h <= height) {
      CropBox box;
      box.height = h;
      box.width = w;
      box.top = randint(height - h + 1);
      box.left = randint(width - w + 1);
      return box;
    }
  }
  // Fallback to the central crop.
  const double inRatio =
      static_cast<double>(width) / static_cast<double>(height);
  CropBox box;
  if (inRatio < ratioMin) {
    box.width = width;
    box.height = static_cast<int64_t>(std::nearbyint(width / ratioMin));
  } else if (inRatio > ratioMax) {
    box.height = height;
    box.width = static_cast<int64_t>(std::nearbyint(height * ratioMax));
  } else {
    box.width = width;
    box.height = height;
  }
  box.top = (height - box.height) / 2;
  box.left = (width - box.width) / 2;
  return box;
}

Image transformImage(const Image &image, const PreprocessConfig &config,
                     std::mt19937_64 *rng) {
  checkImage(image, "preprocess");
  const int64_t size = config.size;
  if (size <= 0)
    throw std::invalid_argument(
        fmt::format("preprocess: output size {} must be positive", size));
  if (config.randomResizedCrop) {
    if (!rng)
      throw std::invalid_argument(
          "preprocess: the random resized crop needs a random generator");
    if (!(config.scaleMin > 0 && config.scaleMin <= config.scaleMax &&
          config.scaleMax <= 1))
      throw std::invalid_argument(
          fmt::format("preprocess: crop scale ({}, {}) must satisfy 0 < min "
                      "<= max <= 1",
                      config.scaleMin, config.scaleMax));
    const CropBox crop = randomResizedCropBox(
        image.height, image.width, config.scaleMin, config.scaleMax, *rng);
    return resizeBicubicWindow(image, crop, size, size, {0, 0, size, size});
  }
  // Resize of the shorter side, then the center crop (Python's round: half
  // to even, which nearbyint does in the default rounding mode).
  const CropBox resized = shorterSideResize(image.height, image.width, size);
  CropBox window;
  window.height = window.width = size;
  window.top = static_cast<int64_t>(
      std::nearbyint(static_cast<double>(resized.height - size) / 2.0));
  window.left = static_cast<int64_t>(
      std::nearbyint(static_cast<double>(resized.width - size) / 2.0));
  return resizeBicubicWindow(image, {0, 0, image.height, image.width},
                             resized.width, resized.height, window);
}

void normalizeImage(const Image &square, const PreprocessConfig &config,
                    float *out) {
  checkImage(square, "normalize");
  const int64_t size = config.size;
  if (square.height != size || square.width != size)
    throw std::invalid_argument(
        fmt::format("normalize: {}x{} image, {}x{} expected", square.height,
                    square.width, size, size));
  // ToTensor: p / 255 in float; Normalize: (x - mean) / std in float.
  float table[3][256];
  for (int c = 0; c < 3; ++c)
    for (int p = 0; p < 256; ++p)
      table[c][p] =
          (static_cast<float>(p) / 255.0f - config.mean[c]) / config.std[c];
  const size_t plane = static_cast<size_t>(size) * size;
  const int C = static_cast<int>(square.channels);
  const uint8_t *pixels = square.pixels.data();
  for (int c = 0; c < 3; ++c) {
    const float *lut = table[c];
    float *dst = out + c * plane;
    const uint8_t *src = pixels + (C == 3 ? c : 0);
    for (size_t i = 0; i < plane; ++i)
      dst[i] = lut[src[i * C]];
  }
}

void preprocess(const Image &image, const PreprocessConfig &config, float *out,
                std::mt19937_64 *rng) {
  normalizeImage(transformImage(image, config, rng), config, out);
}

} // namespace clip::data
