//===- Preprocess.h - OpenCLIP's image transforms, bit for bit ------------===//
//
// preprocess() reproduces OpenCLIP's image_transform(size, is_train) on PIL
// images:
//   eval:  Resize(size, BICUBIC) of the shorter side (torchvision's output
//          size: short = size, long = int(size * long / short); no resize
//          when the size already matches) -> CenterCrop(size) (offsets
//          round((d - size) / 2), half to even, as Python's round) ->
//          convert("RGB") -> ToTensor -> Normalize(mean, std)
//   train: RandomResizedCrop(size, scale=(scaleMin, scaleMax), ratio=(3/4,
//          4/3), BICUBIC) (torchvision's get_params: ten tries, then the
//          central fallback; our RNG, not torch's) -> the same tail.
// The resampling is Pillow's ImagingResample with the bicubic filter
// (a = -0.5) exactly: support 2 scaled by the downscale factor, taps
// normalised to sum 1 and rounded to 22-bit fixed point, one pass per axis,
// each rounded and clamped to 8 bits (libImaging/Resample.c). The order of
// the passes is Pillow 13's: horizontal first, unless the height shrinks by
// more than twice as many pixels as the width (earlier Pillow releases always
// went horizontal first; the two differ by a few levels on such images).
// Only the output pixels inside the crop are computed; each is the value PIL
// computes for it. ToTensor and Normalize are float32 operations in
// PyTorch's order, (p / 255 - mean) / std, so a pixel that matches gives the
// same float.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_PREPROCESS_H
#define CLIP_RUNTIME_DATA_PREPROCESS_H

#include "runtime/data/ImageDecode.h"

#include <cstdint>
#include <random>

namespace clip::data {

struct PreprocessConfig {
  int64_t size = 224; // output is 3 x size x size float
  float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
  float std[3] = {0.26862954f, 0.26130258f, 0.27577711f};
  // OpenCLIP's train transform: RandomResizedCrop(size, scale=(scaleMin,
  // scaleMax), ratio=(3/4, 4/3), interpolation=BICUBIC).
  bool randomResizedCrop = false;
  float scaleMin = 0.9f, scaleMax = 1.0f;
};

/// Writes 3 * size * size floats (CHW, RGB) to `out`. `rng` is used only for
/// the random crop (required then). A gray image gives three equal planes.
void preprocess(const Image &image, const PreprocessConfig &config, float *out,
                std::mt19937_64 *rng = nullptr);

//===----------------------------------------------------------------------===//
// The steps, for tests and tools
//===----------------------------------------------------------------------===//

/// A rectangle of pixels: rows [top, top + height), columns [left, left +
/// width).
struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
};

/// PIL's image.resize((width, height), Image.BICUBIC) for 1- or 3-channel
/// 8-bit images.
Image resizeBicubic(const Image &image, int64_t width, int64_t height);

/// PIL's image.crop(box).resize((width, height), BICUBIC), computing only
/// the output pixels inside `window` (a rectangle of the width x height
/// result); returns window.height x window.width pixels.
Image resizeBicubicWindow(const Image &image, const CropBox &crop,
                          int64_t width, int64_t height, const CropBox &window);

/// torchvision's resize output size for Resize(size) of the shorter side:
/// {height, width}.
CropBox shorterSideResize(int64_t height, int64_t width, int64_t size);

/// torchvision's RandomResizedCrop.get_params with scale (scaleMin,
/// scaleMax) and ratio (3/4, 4/3), drawing from `rng`.
CropBox randomResizedCropBox(int64_t height, int64_t width, float scaleMin,
                             float scaleMax, std::mt19937_64 &rng);

/// The size x size 8-bit image preprocess() normalises (channels as the
/// input's: gray stays gray).
Image transformImage(const Image &image, const PreprocessConfig &config,
                     std::mt19937_64 *rng = nullptr);

/// ToTensor + Normalize of a size x size image (gray -> 3 planes).
void normalizeImage(const Image &square, const PreprocessConfig &config,
                    float *out);

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_PREPROCESS_H
