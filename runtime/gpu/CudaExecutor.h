//===- CudaExecutor.h - Run a compiled function on an NVIDIA GPU ----------===//
//
// Compiles the function's CUDA source with NVRTC for the GPU at hand (or
// takes the cubin clipc stored; the cubin is cached on disk by the hash of
// source, architecture and options), loads it with the driver, allocates
// the arena, parameters and inputs in device memory once, and runs the
// steps on one stream: kernel launches and cuBLASLt GEMMs (descriptors and
// algorithms chosen once), captured as a CUDA graph at the first run and
// replayed after (CLIPC_CUDA_GRAPH=0: launched one by one).
//
// Parameters live on the device: the host copy a caller writes through
// param() is uploaded by the next run, and after the device changed them
// (CudaTrainer's update) param() first brings them back. Inputs go through
// pinned host buffers on a copy stream, ordered by events, so the host can
// fill the next batch while a step runs; run() returns once the work is
// queued and output() waits for it. Debugging, from the environment:
// CLIPC_CUDA_SYNC=1 (synchronize after every step, name the one that
// faulted), CLIPC_CUDA_POISON=1 (NaN-fill the arena before each run, refuse
// NaN outputs), CLIPC_CUDA_PROFILE=1 (time per kernel kind, the 15 slowest
// steps, copy time); each runs the steps one by one, without the graph.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_GPU_CUDAEXECUTOR_H
#define CLIP_RUNTIME_GPU_CUDAEXECUTOR_H

#include "runtime/core/Executor.h"

#include <cuda.h>

#include <memory>

namespace clip::gpu {

class CudaDriver;

class CudaExecutor final : public runtime::Executor {
public:
  /// Throws runtime::RuntimeError with one clear message when there is no
  /// driver or GPU, the library has no CUDA target, or NVRTC fails.
  CudaExecutor(const runtime::Library &library, const std::string &function,
               int device = 0);
  ~CudaExecutor() override;

  void *param(int32_t index) override;
  void *input(int32_t index) override;
  void checkNumerics(bool on) override;
  void run() override;
  const void *output(int32_t index) override;
  std::string deviceName() const override;

  /// For CudaTrainer (runtime/gpu), which updates the parameters in place.
  CudaDriver &driver();
  CUstream stream() const;
  CUfunction kernel(const char *name) const;
  CUdeviceptr deviceParam(int32_t index) const;
  /// Where input `index` lives on the device.
  CUdeviceptr deviceInput(int32_t index) const;
  /// Input `index` is read from `data` (device memory of this context that
  /// the caller fills, and keeps alive), not uploaded from the host:
  /// another executor's output or input, or a collective's result. Before
  /// the first run only.
  void bindDeviceInput(int32_t index, CUdeviceptr data);
  /// Where output `index` lives in the arena (valid until the next run).
  CUdeviceptr deviceOutput(int32_t index) const;
  /// The device's parameters changed: param() must bring them back first.
  void paramsChangedOnDevice();

private:
  struct State;
  std::unique_ptr<State> state;
};

} // namespace clip::gpu

#endif // CLIP_RUNTIME_GPU_CUDAEXECUTOR_H
