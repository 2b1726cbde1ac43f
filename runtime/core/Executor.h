//===- Executor.h - Run a compiled function on the CPU ----------*- C++ -*-===//
//
// An Executor runs one function of a clip.so on one device: it owns the
// function's arena (allocated once) and its parameters and inputs, which
// callers fill through host pointers, runs it, and hands out its outputs.
// CpuExecutor runs the generated CPU entry point; the GPU backend's
// CudaExecutor (runtime/gpu) runs the CUDA steps.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CORE_EXECUTOR_H
#define CLIP_RUNTIME_CORE_EXECUTOR_H

#include "runtime/core/Library.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace clip::runtime {

/// Bytes for one tensor, 64-byte aligned.
class Buffer {
public:
  Buffer() = default;
  explicit Buffer(int64_t bytes);
  void *data() const { return data_.get(); }
  int64_t bytes() const { return bytes_; }

private:
  struct Free {
    void operator()(void *p) const;
  };
  std::unique_ptr<void, Free> data_;
  int64_t bytes_ = 0;
};

class Executor {
public:
  explicit Executor(const ClipFunctionDesc &function) : function_(function) {}
  virtual ~Executor() = default;

  const ClipFunctionDesc &function() const { return function_; }
  int32_t paramIndex(const std::string &name) const;
  int32_t inputIndex(const std::string &name) const;

  /// Host memory of each parameter and input, in descriptor order: what is
  /// there when run() is called is what the function reads.
  virtual void *param(int32_t index) = 0;
  virtual void *input(int32_t index) = 0;
  /// Makes the function read parameter / input `index` from `data` (host
  /// memory of its size, outliving the executor) instead of the executor's
  /// own storage, which is released: functions of one library that share
  /// parameters, or one function's outputs bound as another's inputs.
  /// Throws where the device cannot (the CPU can).
  virtual void bindParam(int32_t index, void *data);
  virtual void bindInput(int32_t index, void *data);
  /// After every kernel, check that its float outputs are finite (run()
  /// throws naming the first kernel, its model op and the element that is
  /// not). Throws where the device cannot (the CPU can).
  virtual void checkNumerics(bool on);
  /// Runs the function; throws RuntimeError with the kernel's message.
  virtual void run() = 0;
  /// An output's bytes in host memory (valid until the next run).
  virtual const void *output(int32_t index) = 0;
  /// "the CPU (2 threads)", "NVIDIA H100 (sm_90)".
  virtual std::string deviceName() const = 0;

protected:
  const ClipFunctionDesc &function_;
};

class CpuExecutor final : public Executor {
public:
  CpuExecutor(const Library &library, const std::string &function);

  void *param(int32_t index) override { return paramPointers_[index]; }
  void *input(int32_t index) override { return inputPointers_[index]; }
  void bindParam(int32_t index, void *data) override;
  void bindInput(int32_t index, void *data) override;
  void checkNumerics(bool on) override {
    options_ = on ? CLIP_RUN_CHECK_NUMERICS : 0;
  }
  void run() override;
  const void *output(int32_t index) override;
  std::string deviceName() const override;

private:
  Buffer arena_;
  int32_t options_ = 0; // CLIP_RUN_* flags
  std::vector<Buffer> params_, inputs_;
  std::vector<void *> paramPointers_, inputPointers_;
};

} // namespace clip::runtime

#endif // CLIP_RUNTIME_CORE_EXECUTOR_H
