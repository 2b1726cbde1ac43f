//===- FuzzTar.cpp - libFuzzer: tar / WebDataset indexing and reads -------===//
//
// Any bytes as a shard (written to a file: the reader reads files), indexed
// into samples, each of which is read (image decode included).
//
//===----------------------------------------------------------------------===//
#include "runtime/data/DataError.h"
#include "runtime/data/TarDataset.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string path =
      "/tmp/clip-fuzz-tar-" + std::to_string(::getpid()) + ".tar";
  if (FILE *f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  try {
    clip::data::listTar(path);
    const auto source = clip::data::openTarShards({path});
    for (size_t i = 0; i < source->size() && i < 16; ++i) {
      try {
        source->get(i);
      } catch (const clip::data::DataError &) {
      }
    }
  } catch (const clip::data::DataError &) {
  }
  std::remove(path.c_str());
  return 0;
}
