//===- FuzzIdx.cpp - libFuzzer: IDX files (Fashion-MNIST) -----------------===//
//
// The first byte picks the expected rank (1 labels, 3 images).
//
//===----------------------------------------------------------------------===//
#include "runtime/data/DataError.h"
#include "runtime/data/FashionMnist.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const int rank = data[0] % 2 ? 1 : 3;
  const std::vector<uint8_t> bytes(data + 1, data + size);
  try {
    const uint8_t *values = nullptr;
    const std::vector<int64_t> dims =
        clip::data::parseIdx(bytes, "fuzz.idx", rank, &values);
    int64_t count = 1;
    for (int64_t d : dims)
      count *= d;
    volatile unsigned sink = 0;
    for (int64_t i = 0; i < count; ++i) // all of it must lie in `bytes`
      sink = sink + values[i];
    (void)sink;
  } catch (const clip::data::DataError &) {
  }
  return 0;
}
