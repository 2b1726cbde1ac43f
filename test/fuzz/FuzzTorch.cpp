//===- FuzzTorch.cpp - libFuzzer: torch.save archives ---------------------===//
//
// Any bytes as a torch.save checkpoint: the zip reader, the restricted
// unpickler and the tensor copies either yield tensors whose byte counts
// match their shapes or throw one of the readers' errors; never execute,
// crash or read out of bounds.
//
//===----------------------------------------------------------------------===//
#include "runtime/io/TorchCheckpoint.h"
#include "runtime/io/Zip.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    const auto tensors = clip::io::parseTorchCheckpoint(
        std::vector<uint8_t>(data, data + size), "fuzz");
    for (const auto &[name, t] : tensors) {
      size_t numel = 1;
      for (int64_t d : t.shape)
        numel *= static_cast<size_t>(d);
      if (t.bytes.size() != numel * clip::io::dtypeSize(t.dtype))
        std::abort();
    }
  } catch (const clip::io::TorchCheckpointError &) {
  } catch (const clip::io::ZipError &) {
  }
  return 0;
}
