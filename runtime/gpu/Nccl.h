//===- Nccl.h - NCCL, loaded at run time ------------------------*- C++ -*-===//
//
// The NCCL functions data-parallel training on GPUs calls, filled with dlsym
// from libnccl.so.2 (CUDA 13's, or $CLIPC_NCCL: the host emulator's,
// runtime/gpu/emulator/EmulatedNccl.cpp). NCCL's header gives the types;
// nothing links the library, so a build and a machine without NCCL train
// in one process.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_GPU_NCCL_H
#define CLIP_RUNTIME_GPU_NCCL_H

#include "runtime/gpu/DynamicLibrary.h"

#include <nccl.h>

#include <string>

namespace clip::gpu {

class NcclApi {
public:
  /// Loads NCCL; throws naming every place tried when it is not there.
  NcclApi();
  /// Throws with NCCL's message for `rc` (and `comm`'s last error, when
  /// given) and what was being done.
  void check(ncclResult_t rc, const std::string &what,
             ncclComm_t comm = nullptr) const;
  /// "NCCL 2.28.9 (/usr/local/cuda/lib/libnccl.so.2)".
  std::string describe() const;

#define CLIP_NCCL_FUNCTIONS(X)                                                 \
  X(ncclGetVersion)                                                            \
  X(ncclGetUniqueId)                                                           \
  X(ncclCommInitRank)                                                          \
  X(ncclCommDestroy)                                                           \
  X(ncclCommAbort)                                                             \
  X(ncclCommGetAsyncError)                                                     \
  X(ncclGetErrorString)                                                        \
  X(ncclGetLastError)                                                          \
  X(ncclAllReduce)                                                             \
  X(ncclAllGather)                                                             \
  X(ncclReduceScatter)                                                         \
  X(ncclBroadcast)                                                             \
  X(ncclGroupStart)                                                            \
  X(ncclGroupEnd)
#define CLIP_DECLARE(name) decltype(&::name) name = nullptr;
  CLIP_NCCL_FUNCTIONS(CLIP_DECLARE)
#undef CLIP_DECLARE

private:
  DynamicLibrary library;
};

} // namespace clip::gpu

#endif // CLIP_RUNTIME_GPU_NCCL_H
