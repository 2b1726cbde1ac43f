//===- ImageDecode.h - PNG and JPEG to 8-bit pixels -----------------------===//
//
// decodeImage turns the bytes of a PNG or JPEG file into 8-bit HWC pixels,
// 1 channel (gray) or 3 (RGB), the way OpenCLIP's WebDataset pipeline sees
// them after PIL's convert("RGB") ("pilrgb"):
//   PNG:  1/2/4/8-bit gray -> gray (scaled to 0..255), palette -> RGB,
//         16-bit -> 8-bit by its high byte (as PIL's "RGB;16B"), alpha
//         dropped (gray+alpha -> gray, RGBA -> RGB), interlacing handled,
//         gAMA/iCCP ignored (as PIL).
//   JPEG: gray -> gray, YCbCr/RGB -> RGB (libjpeg's ISLOW IDCT and fancy
//         upsampling, PIL's defaults); CMYK/YCCK refused; EXIF orientation
//         ignored (OpenCLIP does not apply it either).
// The format is sniffed from the magic bytes, never from a file name. WebP,
// GIF, BMP and TIFF are refused by name. A truncated or corrupt file is a
// DataError naming `where` and the reason; images above Pillow's
// decompression-bomb limit (178,956,970 pixels) are refused before any pixel
// memory is allocated.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_IMAGEDECODE_H
#define CLIP_RUNTIME_DATA_IMAGEDECODE_H

#include "runtime/data/DataError.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace clip::data {

/// 8-bit pixels, row-major HWC; channels is 1 (gray) or 3 (RGB).
struct Image {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

/// The largest width * height decoded (Pillow's DecompressionBombError
/// threshold, 2 * 89,478,485).
constexpr uint64_t kMaxImagePixels = 178956970;

Image decodeImage(const uint8_t *bytes, size_t size, const std::string &where);
Image decodeImage(const std::vector<uint8_t> &bytes, const std::string &where);
Image decodeImage(const std::string &bytes, const std::string &where);

/// Reads and decodes `path`; errors name the path.
Image readImageFile(const std::string &path);

/// The whole file `path` (DataError naming it when it cannot be read).
std::vector<uint8_t> readFileBytes(const std::string &path);

/// "PNG", "JPEG", "WebP", "GIF", "BMP", "TIFF" or "" from the magic bytes.
const char *sniffImageFormat(const uint8_t *bytes, size_t size);

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_IMAGEDECODE_H
