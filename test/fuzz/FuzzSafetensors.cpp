//===- FuzzSafetensors.cpp - libFuzzer: safetensors header and data -------===//
//
// Any bytes as a safetensors file: parse() validates or throws
// SafetensorsError; what it accepts must convert element by element.
//
//===----------------------------------------------------------------------===//
#include "runtime/io/Safetensors.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    const clip::io::SafetensorsFile file = clip::io::SafetensorsFile::parse(
        std::vector<uint8_t>(data, data + size), "fuzz");
    for (const clip::io::TensorView &t : file.tensors()) {
      volatile double sink = 0;
      for (double v : t.toDoubles())
        sink = sink + v;
      (void)sink;
    }
  } catch (const clip::io::SafetensorsError &) {
  }
  return 0;
}
