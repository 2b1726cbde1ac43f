//===- FuzzJson.cpp - libFuzzer: the JSON parser --------------------------===//
#include "runtime/io/Json.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    clip::io::parseJson(
        std::string_view(reinterpret_cast<const char *>(data), size));
  } catch (const clip::io::JsonError &) {
  }
  return 0;
}
