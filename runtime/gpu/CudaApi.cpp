//===- CudaApi.cpp - The CUDA driver and cuBLASLt, loaded at run time -----===//

#include "runtime/gpu/CudaApi.h"

#include "fmt/format.h"

#include <stdexcept>

namespace clip::gpu {

// cuda.h maps several names to versioned symbols (cuMemAlloc ->
// cuMemAlloc_v2): stringizing after expansion gets the symbol the header
// means.
#define CLIP_STRINGIZE(x) #x
#define CLIP_SYMBOL(x) CLIP_STRINGIZE(x)

CudaDriver::CudaDriver()
    : library("no NVIDIA driver on this machine: libcuda", "CLIPC_CUDA_DRIVER",
              {"libcuda.so.1", "libcuda.so"}) {
#define CLIP_BIND(name) library.bind(name, CLIP_SYMBOL(name));
  CLIP_CUDA_DRIVER_FUNCTIONS(CLIP_BIND)
#undef CLIP_BIND
  clipEmulatorLoadSource = reinterpret_cast<decltype(clipEmulatorLoadSource)>(
      library.find("clipEmulatorLoadSource"));
  check(cuInit(0), "initializing the CUDA driver");
}

void CudaDriver::check(CUresult rc, const std::string &what) const {
  if (rc == CUDA_SUCCESS)
    return;
  const char *name = nullptr, *text = nullptr;
  cuGetErrorName(rc, &name);
  cuGetErrorString(rc, &text);
  throw std::runtime_error(fmt::format("CUDA error {} ({}) {}: {}",
                                       name ? name : "?", static_cast<int>(rc),
                                       what, text ? text : "unknown error"));
}

CublasLtApi::CublasLtApi()
    : library("cuBLASLt (CUDA 13's libcublasLt)", "CLIPC_CUBLASLT",
              {"libcublasLt.so.13", "libcublasLt.so",
               "/usr/local/cuda/lib64/libcublasLt.so.13"}) {
#define CLIP_BIND(name) library.bind(name, CLIP_SYMBOL(name));
  CLIP_CUBLASLT_FUNCTIONS(CLIP_BIND)
#undef CLIP_BIND
}

void CublasLtApi::check(cublasStatus_t status, const std::string &what) const {
  if (status == CUBLAS_STATUS_SUCCESS)
    return;
  throw std::runtime_error(fmt::format("cuBLASLt error {} {}: {}",
                                       static_cast<int>(status), what,
                                       cublasLtGetStatusString(status)));
}

} // namespace clip::gpu
