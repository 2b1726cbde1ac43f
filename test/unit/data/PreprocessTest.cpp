//===- PreprocessTest.cpp - Pillow's bicubic resize, OpenCLIP's transforms ===//
//
// The expected pixels below were computed with Pillow 13's
// Image.resize(..., Image.BICUBIC) on the same inputs; the parity test
// (test/parity/preprocess_parity.py) compares with OpenCLIP itself on many
// more images.
//
//===----------------------------------------------------------------------===//
#include "runtime/data/Preprocess.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace clip::data;

namespace {

/// The test pattern of the golden values: ((i * 37 + (i * i) % 11 * 19) % 256).
Image pattern(int64_t h, int64_t w, int64_t c) {
  Image image;
  image.height = h;
  image.width = w;
  image.channels = c;
  image.pixels.resize(h * w * c);
  for (int64_t i = 0; i < h * w * c; ++i)
    image.pixels[i] = static_cast<uint8_t>((i * 37 + (i * i) % 11 * 19) % 256);
  return image;
}

Image noise(int64_t h, int64_t w, int64_t c, uint32_t seed) {
  Image image;
  image.height = h;
  image.width = w;
  image.channels = c;
  image.pixels.resize(h * w * c);
  std::mt19937 rng(seed);
  for (uint8_t &p : image.pixels)
    p = static_cast<uint8_t>(rng() % 2 ? rng() : (rng() % 2) * 255);
  return image;
}

Image crop(const Image &image, int64_t top, int64_t left, int64_t h,
           int64_t w) {
  Image out;
  out.height = h;
  out.width = w;
  out.channels = image.channels;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t c = 0; c < image.channels; ++c)
        out.pixels.push_back(
            image.pixels[((top + y) * image.width + left + x) * image.channels +
                         c]);
  return out;
}

} // namespace

TEST(Preprocess, ResizeMatchesPillow) {
  struct Case {
    int64_t h, w, c, outW, outH;
    std::vector<uint8_t> expected;
  };
  const std::vector<Case> cases = {
      {5, 7, 1, 3, 4, {69, 135, 158, 163, 169, 130, 87, 154, 61, 72, 135, 183}},
      {5, 7, 1, 11, 9, {0,   7,   52,  136, 104, 17,  168, 255, 254, 114, 6,
                        22,  53,  107, 149, 116, 54,  156, 229, 243, 116, 15,
                        79,  137, 204, 170, 138, 123, 138, 173, 217, 117, 32,
                        143, 170, 194, 160, 146, 157, 186, 196, 172, 95,  41,
                        180, 161, 136, 134, 146, 174, 236, 223, 117, 65,  44,
                        95,  84,  77,  107, 150, 189, 170, 121, 54,  29,  22,
                        23,  33,  53,  76,  136, 197, 121, 56,  44,  44,  49,
                        49,  83,  111, 36,  81,  199, 169, 139, 147, 174, 193,
                        67,  114, 145, 16,  50,  199, 199, 190, 207, 247, 255}},
      // Only the height changes: one pass.
      {5,
       7,
       1,
       7,
       2,
       {82, 137, 151, 105, 203, 190, 31, 81, 107, 75, 195, 148, 106, 113}},
      {4, 6, 3, 5, 3, {53,  89,  132, 29,  165, 196, 96,  94,  153,
                       145, 94,  172, 154, 163, 152, 226, 126, 120,
                       134, 41,  96,  120, 119, 89,  41,  150, 148,
                       169, 149, 167, 214, 200, 110, 174, 8,   177,
                       196, 102, 101, 146, 174, 69,  160, 103, 142}},
      // The height shrinks by 16, the width by 1: Pillow 13 runs the vertical
      // pass first (the horizontal-first result differs).
      {20, 6, 1, 5, 4, {121, 105, 115, 118, 150, 146, 117, 138, 133, 149,
                        153, 150, 96,  99,  113, 150, 162, 116, 138, 107}},
      {12, 10, 3, 4, 3, {119, 161, 133, 135, 116, 124, 116, 116, 104,
                         143, 134, 153, 119, 108, 98,  129, 107, 126,
                         152, 140, 134, 140, 93,  135, 133, 145, 159,
                         143, 127, 134, 121, 108, 113, 120, 130, 125}},
  };
  for (const Case &c : cases) {
    const Image out = resizeBicubic(pattern(c.h, c.w, c.c), c.outW, c.outH);
    EXPECT_EQ(out.height, c.outH);
    EXPECT_EQ(out.width, c.outW);
    EXPECT_EQ(out.channels, c.c);
    EXPECT_EQ(out.pixels, c.expected)
        << c.h << "x" << c.w << "x" << c.c << " -> " << c.outH << "x" << c.outW;
  }
}

TEST(Preprocess, SameSizeIsIdentityAndConstantsStayConstant) {
  const Image image = noise(13, 17, 3, 1);
  EXPECT_EQ(resizeBicubic(image, 17, 13).pixels, image.pixels);
  Image flat = noise(40, 30, 1, 2);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 173);
  for (auto [w, h] : {std::pair(7, 9), std::pair(64, 80), std::pair(30, 11)}) {
    const Image out = resizeBicubic(flat, w, h);
    for (uint8_t p : out.pixels)
      ASSERT_EQ(p, 173);
  }
}

TEST(Preprocess, WindowEqualsFullResizeThenCrop) {
  // Computing only the crop must give the pixels of the full resize, in
  // both pass orders and with or without each pass.
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t h = 1 + rng() % 60, w = 1 + rng() % 60, c = rng() % 2 ? 3 : 1;
    const Image image = noise(h, w, c, trial);
    const int64_t outH = trial % 5 == 0 ? h : 1 + rng() % 80;
    const int64_t outW = trial % 7 == 0 ? w : 1 + rng() % 80;
    CropBox window;
    window.top = rng() % outH;
    window.left = rng() % outW;
    window.height = 1 + rng() % (outH - window.top);
    window.width = 1 + rng() % (outW - window.left);
    const Image full = resizeBicubic(image, outW, outH);
    const Image part =
        resizeBicubicWindow(image, {0, 0, h, w}, outW, outH, window);
    ASSERT_EQ(
        part.pixels,
        crop(full, window.top, window.left, window.height, window.width).pixels)
        << h << "x" << w << "x" << c << " -> " << outH << "x" << outW;
    // A crop of the source is a resize of the cropped image.
    const CropBox source{h / 3, w / 4, h - h / 3, w - w / 4};
    const Image cropped =
        crop(image, source.top, source.left, source.height, source.width);
    ASSERT_EQ(resizeBicubicWindow(image, source, outW, outH, {0, 0, outH, outW})
                  .pixels,
              resizeBicubic(cropped, outW, outH).pixels);
  }
}

TEST(Preprocess, ShorterSideResizeAsTorchvision) {
  auto check = [](int64_t h, int64_t w, int64_t size, int64_t eh, int64_t ew) {
    const CropBox box = shorterSideResize(h, w, size);
    EXPECT_EQ(box.height, eh) << h << "x" << w;
    EXPECT_EQ(box.width, ew) << h << "x" << w;
  };
  check(375, 500, 224, 224, 298); // int(224 * 500 / 375) = int(298.67)
  check(500, 375, 224, 298, 224);
  check(28, 28, 32, 32, 32);
  check(17, 260, 32, 32, 489);
  check(1000, 250, 224, 896, 224);
  check(224, 224, 224, 224, 224);
}

TEST(Preprocess, CenterCropRoundsHalfToEven) {
  // 17x260 at size 32 resizes to 32x489: left = round(228.5) = 228 (Python's
  // round, half to even); 19 x 27 at 8 resizes to 8x11: left = round(1.5) = 2.
  for (auto [h, w, size, left] :
       {std::tuple(17, 260, 32, 228), std::tuple(19, 27, 8, 2)}) {
    const Image image = noise(h, w, 3, 9);
    PreprocessConfig config;
    config.size = size;
    const CropBox resized = shorterSideResize(h, w, size);
    const Image full = resizeBicubic(image, resized.width, resized.height);
    EXPECT_EQ(transformImage(image, config).pixels,
              crop(full, 0, left, size, size).pixels)
        << h << "x" << w;
  }
}

TEST(Preprocess, NormalizeIsTorchsFloatArithmetic) {
  PreprocessConfig config;
  config.size = 2;
  Image rgb;
  rgb.height = rgb.width = 2;
  rgb.channels = 3;
  rgb.pixels = {0, 255, 128, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<float> out(12);
  normalizeImage(rgb, config, out.data());
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 4; ++i) {
      const float expected =
          (static_cast<float>(rgb.pixels[i * 3 + c]) / 255.0f -
           config.mean[c]) /
          config.std[c];
      EXPECT_EQ(out[c * 4 + i], expected); // bit for bit
    }
  // Gray: three planes, each normalised with its own mean and std.
  Image gray;
  gray.height = gray.width = 2;
  gray.channels = 1;
  gray.pixels = {0, 100, 200, 255};
  normalizeImage(gray, config, out.data());
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(out[c * 4 + i],
                (static_cast<float>(gray.pixels[i]) / 255.0f - config.mean[c]) /
                    config.std[c]);
}

TEST(Preprocess, FashionMnistSizeGrayToThreePlanes) {
  const Image image = noise(28, 28, 1, 4);
  PreprocessConfig config;
  config.size = 32;
  std::vector<float> out(3 * 32 * 32);
  preprocess(image, config, out.data());
  const Image square = transformImage(image, config);
  ASSERT_EQ(square.channels, 1);
  ASSERT_EQ(square.pixels, resizeBicubic(image, 32, 32).pixels);
  for (int i = 0; i < 32 * 32; ++i)
    for (int c = 0; c < 3; ++c)
      ASSERT_EQ(out[c * 1024 + i],
                (square.pixels[i] / 255.0f - config.mean[c]) / config.std[c]);
}

TEST(Preprocess, RandomResizedCropBoxes) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 500; ++trial) {
    const int64_t h = 10 + rng() % 500, w = 10 + rng() % 500;
    const CropBox box = randomResizedCropBox(h, w, 0.9f, 1.0f, rng);
    ASSERT_GE(box.top, 0);
    ASSERT_GE(box.left, 0);
    ASSERT_LE(box.top + box.height, h);
    ASSERT_LE(box.left + box.width, w);
    const double area = static_cast<double>(box.height) * box.width / (h * w);
    if (static_cast<double>(w) / h >= 0.8 &&
        static_cast<double>(w) / h <= 1.25) {
      ASSERT_GT(area, 0.8) << h << "x" << w; // scale 0.9..1, rounding aside
    }
  }
  // Too elongated for any try: torchvision's central fallback.
  std::mt19937_64 rng2(1);
  const CropBox wide = randomResizedCropBox(10, 1000, 0.9f, 1.0f, rng2);
  EXPECT_EQ(wide.height, 10);
  EXPECT_EQ(wide.width, 13); // round(10 * 4 / 3)
  EXPECT_EQ(wide.top, 0);
  EXPECT_EQ(wide.left, (1000 - 13) / 2);
  const CropBox tall = randomResizedCropBox(1000, 10, 0.9f, 1.0f, rng2);
  EXPECT_EQ(tall.width, 10);
  EXPECT_EQ(tall.height, 13); // round(10 / (3 / 4))
}

TEST(Preprocess, TrainTransformIsSeededAndVaries) {
  const Image image = noise(90, 120, 3, 6);
  PreprocessConfig config;
  config.size = 24;
  config.randomResizedCrop = true;
  std::vector<float> a(3 * 24 * 24), b(a.size());
  std::mt19937_64 rng1(42), rng2(42);
  preprocess(image, config, a.data(), &rng1);
  preprocess(image, config, b.data(), &rng2);
  EXPECT_EQ(a, b);
  std::set<std::vector<float>> distinct;
  for (int i = 0; i < 10; ++i) {
    preprocess(image, config, a.data(), &rng1);
    distinct.insert(a);
  }
  EXPECT_GT(distinct.size(), 5u);
  EXPECT_THROW(preprocess(image, config, a.data(), nullptr),
               std::invalid_argument);
}

TEST(Preprocess, BadInputsAreRefused) {
  PreprocessConfig config;
  config.size = 8;
  std::vector<float> out(3 * 8 * 8);
  Image two = noise(4, 4, 1, 1);
  two.channels = 2;
  EXPECT_THROW(preprocess(two, config, out.data()), DataError);
  Image short_ = noise(4, 4, 3, 1);
  short_.pixels.pop_back();
  EXPECT_THROW(preprocess(short_, config, out.data()), DataError);
  config.size = 0;
  EXPECT_THROW(preprocess(noise(4, 4, 3, 1), config, out.data()),
               std::invalid_argument);
}
