//===- Nccl.cpp - NCCL, loaded at run time --------------------------------===//

#include "runtime/gpu/Nccl.h"

#include "fmt/format.h"

#include <stdexcept>

namespace clip::gpu {

NcclApi::NcclApi()
    : library("NCCL (libnccl.so.2, CUDA 13's)", "CLIPC_NCCL",
              {"libnccl.so.2", "libnccl.so", "/usr/local/cuda/lib/libnccl.so.2",
               "/usr/local/cuda/lib64/libnccl.so.2"}) {
#define CLIP_BIND(name) library.bind(name, #name);
  CLIP_NCCL_FUNCTIONS(CLIP_BIND)
#undef CLIP_BIND
}

void NcclApi::check(ncclResult_t rc, const std::string &what,
                    ncclComm_t comm) const {
  if (rc == ncclSuccess)
    return;
  const char *last = comm ? ncclGetLastError(comm) : nullptr;
  throw std::runtime_error(fmt::format(
      "NCCL error {} {}: {}{}{}", static_cast<int>(rc), what,
      ncclGetErrorString(rc), last && *last ? ": " : "", last ? last : ""));
}

std::string NcclApi::describe() const {
  int version = 0;
  check(ncclGetVersion(&version), "reading its version");
  // NCCL_VERSION(X, Y, Z) is X * 10000 + Y * 100 + Z since 2.9.
  return fmt::format("NCCL {}.{}.{} ({})", version / 10000, version / 100 % 100,
                     version % 100, library.path());
}

} // namespace clip::gpu
