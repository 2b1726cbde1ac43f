//===- FuzzImage.cpp - libFuzzer: PNG/JPEG decode and preprocessing -------===//
//
// Any bytes as an image file; what decodes is preprocessed to 32 x 32 as
// for training (random resized crop, seeded by the input's size) and for
// evaluation.
//
//===----------------------------------------------------------------------===//
#include "runtime/data/DataError.h"
#include "runtime/data/ImageDecode.h"
#include "runtime/data/Preprocess.h"

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    const clip::data::Image image =
        clip::data::decodeImage(data, size, "fuzz-image");
    std::vector<float> out(3 * 32 * 32);
    for (bool crop : {false, true}) {
      clip::data::PreprocessConfig config;
      config.size = 32;
      config.randomResizedCrop = crop;
      std::mt19937_64 rng(size);
      clip::data::preprocess(image, config, out.data(), &rng);
    }
  } catch (const clip::data::DataError &) {
  }
  return 0;
}
