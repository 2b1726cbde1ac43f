//===- ImageDecodeTest.cpp - PNG and JPEG decoding, good and bad files ----===//
#include "runtime/data/ImageDecode.h"

#include "TestFiles.h"

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <cstring>
#include <functional>
#include <random>

using namespace clip::data;
using namespace clip::data::test;

namespace {

std::vector<uint8_t> randomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (uint8_t &b : v)
    b = static_cast<uint8_t>(rng());
  return v;
}

/// A smooth RGB or gray picture (JPEG keeps it close).
std::vector<uint8_t> smooth(int w, int h, int c) {
  std::vector<uint8_t> v(static_cast<size_t>(w) * h * c);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int k = 0; k < c; ++k)
        v[(static_cast<size_t>(y) * w + x) * c + k] =
            static_cast<uint8_t>(40 + 2 * x + y + 30 * k);
  return v;
}

::testing::AssertionResult throwsWith(const std::function<void()> &f,
                                      const std::vector<std::string> &parts) {
  try {
    f();
  } catch (const DataError &e) {
    const std::string message = e.what();
    for (const std::string &part : parts)
      if (message.find(part) == std::string::npos)
        return ::testing::AssertionFailure()
               << "message '" << message << "' lacks '" << part << "'";
    return ::testing::AssertionSuccess();
  } catch (const std::exception &e) {
    return ::testing::AssertionFailure() << "not a DataError: " << e.what();
  }
  return ::testing::AssertionFailure() << "no exception";
}

PngSpec pngSpec(int w, int h, int colorType, int depth,
                std::vector<uint8_t> rows) {
  PngSpec spec;
  spec.width = w;
  spec.height = h;
  spec.colorType = colorType;
  spec.bitDepth = depth;
  spec.rows = std::move(rows);
  return spec;
}

} // namespace

TEST(ImageDecode, PngGray8) {
  const auto pixels = randomBytes(13 * 7, 1);
  const Image image = decodeImage(
      encodePng(pngSpec(13, 7, PNG_COLOR_TYPE_GRAY, 8, pixels)), "g.png");
  EXPECT_EQ(image.height, 7);
  EXPECT_EQ(image.width, 13);
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, pixels);
}

TEST(ImageDecode, PngGrayLowBitDepthsScaleTo8Bits) {
  // 1-bit: 0/255; 2-bit: 0, 85, 170, 255; 4-bit: v * 17.
  const std::vector<uint8_t> oneBit = {0b10110000}; // 4 pixels in a row
  Image image = decodeImage(
      encodePng(pngSpec(4, 1, PNG_COLOR_TYPE_GRAY, 1, oneBit)), "1bit");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{255, 0, 255, 255}));
  const std::vector<uint8_t> twoBit = {0b00011011};
  image = decodeImage(encodePng(pngSpec(4, 1, PNG_COLOR_TYPE_GRAY, 2, twoBit)),
                      "2bit");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0, 85, 170, 255}));
  const std::vector<uint8_t> fourBit = {0x0F, 0x73};
  image = decodeImage(encodePng(pngSpec(4, 1, PNG_COLOR_TYPE_GRAY, 4, fourBit)),
                      "4bit");
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0, 255, 7 * 17, 3 * 17}));
}

TEST(ImageDecode, PngRgbAndInterlaced) {
  const auto pixels = randomBytes(9 * 11 * 3, 2);
  for (bool interlaced : {false, true}) {
    PngSpec spec = pngSpec(9, 11, PNG_COLOR_TYPE_RGB, 8, pixels);
    spec.interlaced = interlaced;
    const Image image = decodeImage(encodePng(spec), "rgb.png");
    EXPECT_EQ(image.channels, 3);
    EXPECT_EQ(image.height, 11);
    EXPECT_EQ(image.pixels, pixels) << "interlaced " << interlaced;
  }
}

TEST(ImageDecode, PngAlphaIsDropped) {
  const auto rgba = randomBytes(5 * 4 * 4, 3);
  Image image = decodeImage(
      encodePng(pngSpec(5, 4, PNG_COLOR_TYPE_RGBA, 8, rgba)), "rgba.png");
  ASSERT_EQ(image.channels, 3);
  for (size_t i = 0; i < 20; ++i)
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(image.pixels[i * 3 + c], rgba[i * 4 + c]);

  const auto grayAlpha = randomBytes(5 * 4 * 2, 4);
  image = decodeImage(
      encodePng(pngSpec(5, 4, PNG_COLOR_TYPE_GRAY_ALPHA, 8, grayAlpha)), "la");
  ASSERT_EQ(image.channels, 1);
  for (size_t i = 0; i < 20; ++i)
    EXPECT_EQ(image.pixels[i], grayAlpha[i * 2]);
}

TEST(ImageDecode, PngPaletteWithTransparencyToRgb) {
  PngSpec spec = pngSpec(3, 2, PNG_COLOR_TYPE_PALETTE, 8, {0, 1, 2, 2, 1, 0});
  spec.palette = {10, 20, 30, 40, 50, 60, 70, 80, 90};
  spec.alphas = {0, 128}; // a tRNS chunk: its alpha is dropped too
  const Image image = decodeImage(encodePng(spec), "palette.png");
  ASSERT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels,
            (std::vector<uint8_t>{10, 20, 30, 40, 50, 60, 70, 80, 90, 70, 80,
                                  90, 40, 50, 60, 10, 20, 30}));
  // A 4-bit palette.
  PngSpec small = pngSpec(2, 1, PNG_COLOR_TYPE_PALETTE, 4, {0x21});
  small.palette = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(decodeImage(encodePng(small), "p4").pixels,
            (std::vector<uint8_t>{7, 8, 9, 4, 5, 6}));
}

TEST(ImageDecode, Png16BitKeepsTheHighByte) {
  // Big-endian 16-bit samples: 0x12AB -> 0x12 (as PIL's "RGB;16B").
  const std::vector<uint8_t> rgb16 = {0x12, 0xAB, 0xFF, 0xFF, 0x00, 0xFF,
                                      0x80, 0x00, 0x7F, 0xFF, 0x01, 0x02};
  Image image = decodeImage(
      encodePng(pngSpec(2, 1, PNG_COLOR_TYPE_RGB, 16, rgb16)), "rgb16");
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels,
            (std::vector<uint8_t>{0x12, 0xFF, 0x00, 0x80, 0x7F, 0x01}));
  const std::vector<uint8_t> gray16 = {0xAB, 0xCD, 0x01, 0xFF};
  image = decodeImage(encodePng(pngSpec(2, 1, PNG_COLOR_TYPE_GRAY, 16, gray16)),
                      "gray16");
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels, (std::vector<uint8_t>{0xAB, 0x01}));
}

TEST(ImageDecode, JpegGrayAndRgb) {
  const auto gray = smooth(40, 24, 1);
  Image image = decodeImage(encodeJpeg(40, 24, 1, gray, 100), "gray.jpg");
  EXPECT_EQ(image.channels, 1);
  EXPECT_EQ(image.width, 40);
  EXPECT_EQ(image.height, 24);
  for (size_t i = 0; i < gray.size(); ++i)
    ASSERT_NEAR(image.pixels[i], gray[i], 3) << i;

  const auto rgb = smooth(33, 17, 3);
  image = decodeImage(encodeJpeg(33, 17, 3, rgb, 100), "rgb.jpg");
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.width, 33);
  EXPECT_EQ(image.height, 17);
  for (size_t i = 0; i < rgb.size(); ++i)
    ASSERT_NEAR(image.pixels[i], rgb[i], 6) << i;
}

TEST(ImageDecode, JpegCmykIsRefused) {
  const auto cmyk = smooth(8, 8, 4);
  EXPECT_TRUE(
      throwsWith([&] { decodeImage(encodeJpeg(8, 8, 4, cmyk), "print.jpg"); },
                 {"print.jpg", "CMYK"}));
}

TEST(ImageDecode, TruncatedFilesGiveClearErrors) {
  const auto png = encodePng(
      pngSpec(64, 48, PNG_COLOR_TYPE_RGB, 8, randomBytes(64 * 48 * 3, 5)));
  const auto jpeg = encodeJpeg(64, 48, 3, smooth(64, 48, 3), 90);
  for (const auto &[bytes, name] : {std::pair(png, std::string("cut.png")),
                                    std::pair(jpeg, std::string("cut.jpg"))}) {
    // Every cut: a DataError naming the file (never a crash); past the magic
    // bytes and the header, it says "truncated".
    for (size_t cut = 0; cut + 1 < bytes.size(); ++cut) {
      const std::vector<uint8_t> head(bytes.begin(), bytes.begin() + cut);
      try {
        decodeImage(head, name);
        // A PNG cut inside IEND still holds the whole image.
        ASSERT_TRUE(name == "cut.png" && cut + 12 >= bytes.size())
            << name << " cut at " << cut << " decoded";
      } catch (const DataError &e) {
        const std::string message = e.what();
        ASSERT_NE(message.find(name), std::string::npos) << message;
        if (cut > 64) {
          ASSERT_NE(message.find("truncated"), std::string::npos)
              << name << " cut at " << cut << ": " << message;
        }
      }
    }
  }
  EXPECT_TRUE(throwsWith([&] { decodeImage(std::vector<uint8_t>(), "e.png"); },
                         {"e.png", "empty"}));
  const std::vector<uint8_t> half(png.begin(), png.begin() + png.size() / 2);
  EXPECT_TRUE(throwsWith([&] { decodeImage(half, "half.png"); },
                         {"half.png", "truncated PNG"}));
  const std::vector<uint8_t> halfJpeg(jpeg.begin(),
                                      jpeg.begin() + jpeg.size() / 2);
  EXPECT_TRUE(throwsWith([&] { decodeImage(halfJpeg, "half.jpg"); },
                         {"half.jpg", "truncated JPEG"}));
}

TEST(ImageDecode, CorruptFilesGiveErrorsNotCrashes) {
  const auto png = encodePng(
      pngSpec(32, 32, PNG_COLOR_TYPE_RGB, 8, randomBytes(32 * 32 * 3, 6)));
  const auto jpeg = encodeJpeg(32, 32, 3, smooth(32, 32, 3), 90);
  // A flipped byte inside the PNG's data fails its CRC.
  std::vector<uint8_t> bad = png;
  bad[bad.size() / 2] ^= 0x55;
  EXPECT_TRUE(throwsWith([&] { decodeImage(bad, "crc.png"); },
                         {"crc.png", "corrupt PNG"}));
  // A zero width in IHDR.
  bad = png;
  bad[16] = bad[17] = bad[18] = bad[19] = 0;
  EXPECT_TRUE(
      throwsWith([&] { decodeImage(bad, "ihdr.png"); }, {"ihdr.png", "PNG"}));
  // Random damage anywhere: either an image or a DataError.
  std::mt19937 rng(7);
  for (int trial = 0; trial < 400; ++trial) {
    std::vector<uint8_t> damaged = trial % 2 ? png : jpeg;
    for (int k = 0; k < 1 + trial % 5; ++k)
      damaged[rng() % damaged.size()] = static_cast<uint8_t>(rng());
    try {
      const Image image = decodeImage(damaged, "damaged");
      EXPECT_EQ(
          image.pixels.size(),
          static_cast<size_t>(image.height * image.width * image.channels));
    } catch (const DataError &e) {
      EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos);
    }
  }
  // A JPEG whose scan data is garbage after the header.
  bad = jpeg;
  for (size_t i = bad.size() / 2; i + 2 < bad.size(); ++i)
    bad[i] = 0xFF;
  try {
    decodeImage(bad, "garbage.jpg");
  } catch (const DataError &e) {
    EXPECT_NE(std::string(e.what()).find("garbage.jpg"), std::string::npos);
  }
}

TEST(ImageDecode, UnsupportedFormatsAreNamed) {
  const std::string riff("RIFF\x10\x00\x00\x00WEBPVP8 ", 16);
  const std::vector<uint8_t> webp = bytesOf(riff);
  EXPECT_TRUE(
      throwsWith([&] { decodeImage(webp, "a.webp"); }, {"a.webp", "WebP"}));
  EXPECT_TRUE(throwsWith([&] { decodeImage(bytesOf("GIF89a......"), "a.gif"); },
                         {"a.gif", "GIF"}));
  EXPECT_TRUE(throwsWith([&] { decodeImage(bytesOf("hello world"), "a.txt"); },
                         {"a.txt", "not a PNG or JPEG", "68 65 6c"}));
  EXPECT_STREQ(sniffImageFormat(webp.data(), webp.size()), "WebP");
}

TEST(ImageDecode, HugeDimensionsAreRefusedBeforeAllocation) {
  // A valid 1x1 PNG whose IHDR is rewritten to 20000 x 20000 (CRC fixed).
  auto png = encodePng(pngSpec(1, 1, PNG_COLOR_TYPE_GRAY, 8, {0}));
  const uint8_t size[4] = {0x00, 0x00, 0x4E, 0x20};
  std::memcpy(&png[16], size, 4);
  std::memcpy(&png[20], size, 4);
  const uLong crc = crc32(0, png.data() + 12, 17);
  for (int i = 0; i < 4; ++i)
    png[29 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  EXPECT_TRUE(throwsWith([&] { decodeImage(png, "bomb.png"); },
                         {"bomb.png", "20000x20000", "above the limit"}));
}

TEST(ImageDecode, ReadImageFileNamesThePath) {
  ScratchDir dir;
  const auto pixels = randomBytes(4 * 3, 8);
  const std::string path = dir.write(
      "ok.png", encodePng(pngSpec(4, 3, PNG_COLOR_TYPE_GRAY, 8, pixels)));
  EXPECT_EQ(readImageFile(path).pixels, pixels);
  EXPECT_TRUE(throwsWith([&] { readImageFile(dir.path() + "/missing.png"); },
                         {"missing.png", "cannot open"}));
  EXPECT_TRUE(throwsWith([&] { readImageFile(dir.path()); },
                         {dir.path(), "not a regular file"}));
}
