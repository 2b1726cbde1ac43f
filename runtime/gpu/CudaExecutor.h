//===- CudaExecutor.h - Run a compiled function on an NVIDIA GPU ----------===//
//
// Compiles the function's CUDA source with NVRTC for the GPU at hand (the
// cubin is cached on disk by the hash of source and architecture), loads
// it with the driver, allocates the arena and the parameters and inputs in
// device memory once, and runs the steps in order on one stream: kernel
// launches and cuBLASLt GEMMs (descriptors and algorithms chosen once).
// Host mirrors of the parameters and inputs are uploaded before each run
// and outputs downloaded on request. Debugging, from the environment:
// CLIPC_CUDA_SYNC=1 (synchronize after every step, name the one that
// faulted), CLIPC_CUDA_POISON=1 (NaN-fill the arena before each run, refuse
// NaN outputs), CLIPC_CUDA_PROFILE=1 (time per kernel kind, the 15 slowest
// steps, copy time).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_GPU_CUDAEXECUTOR_H
#define CLIP_RUNTIME_GPU_CUDAEXECUTOR_H

#include "runtime/core/Executor.h"

#include <memory>

namespace clip::gpu {

class CudaExecutor final : public runtime::Executor {
public:
  /// Throws runtime::RuntimeError with one clear message when there is no
  /// driver or GPU, the library has no CUDA target, or NVRTC fails.
  CudaExecutor(const runtime::Library &library, const std::string &function,
               int device = 0);
  ~CudaExecutor() override;

  void *param(int32_t index) override;
  void *input(int32_t index) override;
  void run() override;
  const void *output(int32_t index) override;
  std::string deviceName() const override;

private:
  struct State;
  std::unique_ptr<State> state;
};

} // namespace clip::gpu

#endif // CLIP_RUNTIME_GPU_CUDAEXECUTOR_H
