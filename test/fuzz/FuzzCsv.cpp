//===- FuzzCsv.cpp - libFuzzer: CSV rows ----------------------------------===//
//
// The first byte picks the separator (tab or comma), the rest is the file.
//
//===----------------------------------------------------------------------===//
#include "runtime/data/CsvDataset.h"
#include "runtime/data/DataError.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const char separator = data[0] % 2 ? ',' : '\t';
  try {
    clip::data::parseCsv(
        std::string(reinterpret_cast<const char *>(data) + 1, size - 1),
        separator, "fuzz.csv");
  } catch (const clip::data::DataError &) {
  }
  return 0;
}
