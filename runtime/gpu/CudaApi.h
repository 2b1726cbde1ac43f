//===- CudaApi.h - The CUDA driver and cuBLASLt, loaded at run time -------===//
//
// Function tables filled with dlsym from libcuda.so.1 and libcublasLt.so.13
// (the toolkit's headers give the types; nothing links the libraries).
// Every call goes through check(), which throws with the API's own message
// and what was being done.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_GPU_CUDAAPI_H
#define CLIP_RUNTIME_GPU_CUDAAPI_H

#include "runtime/gpu/DynamicLibrary.h"

#include <cublasLt.h>
#include <cuda.h>

#include <string>

namespace clip::gpu {

class CudaDriver {
public:
  /// Loads the driver and initializes it; throws "no CUDA driver ..." on a
  /// machine without one.
  CudaDriver();
  void check(CUresult rc, const std::string &what) const;

#define CLIP_CUDA_DRIVER_FUNCTIONS(X)                                          \
  X(cuInit)                                                                    \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuDevicePrimaryCtxRelease)                                                 \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuModuleLoadData)                                                          \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuModuleGetGlobal)                                                         \
  X(cuLaunchKernel)                                                            \
  X(cuMemAlloc)                                                                \
  X(cuMemFree)                                                                 \
  X(cuMemAllocHost)                                                            \
  X(cuMemFreeHost)                                                             \
  X(cuMemcpyHtoD)                                                              \
  X(cuMemcpyDtoH)                                                              \
  X(cuMemcpyHtoDAsync)                                                         \
  X(cuMemcpyDtoHAsync)                                                         \
  X(cuMemcpyDtoDAsync)                                                         \
  X(cuMemsetD8)                                                                \
  X(cuMemsetD8Async)                                                           \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamQuery)                                                             \
  X(cuStreamWaitEvent)                                                         \
  X(cuStreamBeginCapture)                                                      \
  X(cuStreamEndCapture)                                                        \
  X(cuGraphInstantiate)                                                        \
  X(cuGraphLaunch)                                                             \
  X(cuGraphDestroy)                                                            \
  X(cuGraphExecDestroy)                                                        \
  X(cuEventCreate)                                                             \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuEventElapsedTime)                                                        \
  X(cuEventDestroy)                                                            \
  X(cuFuncSetAttribute)
#define CLIP_DECLARE(name) decltype(&::name) name = nullptr;
  CLIP_CUDA_DRIVER_FUNCTIONS(CLIP_DECLARE)
#undef CLIP_DECLARE
  /// The host emulator's one extension (runtime/gpu/emulator): loads a
  /// CUDA unit from its source. Null with NVIDIA's driver.
  CUresult (*clipEmulatorLoadSource)(CUmodule *, const char *source,
                                     const char *name) = nullptr;

private:
  DynamicLibrary library;
};

class CublasLtApi {
public:
  CublasLtApi();
  void check(cublasStatus_t status, const std::string &what) const;

#define CLIP_CUBLASLT_FUNCTIONS(X)                                             \
  X(cublasLtCreate)                                                            \
  X(cublasLtDestroy)                                                           \
  X(cublasLtMatmulDescCreate)                                                  \
  X(cublasLtMatmulDescDestroy) X(cublasLtMatmulDescSetAttribute)               \
      X(cublasLtMatrixLayoutCreate) X(cublasLtMatrixLayoutDestroy)             \
          X(cublasLtMatrixLayoutSetAttribute)                                  \
              X(cublasLtMatmulPreferenceCreate)                                \
                  X(cublasLtMatmulPreferenceDestroy)                           \
                      X(cublasLtMatmulPreferenceSetAttribute)                  \
                          X(cublasLtMatmulAlgoGetHeuristic) X(cublasLtMatmul)  \
                              X(cublasLtGetStatusString)
#define CLIP_DECLARE(name) decltype(&::name) name = nullptr;
  CLIP_CUBLASLT_FUNCTIONS(CLIP_DECLARE)
#undef CLIP_DECLARE

private:
  DynamicLibrary library;
};

} // namespace clip::gpu

#endif // CLIP_RUNTIME_GPU_CUDAAPI_H
