//===- Executor.h - Run a compiled function on the CPU ----------*- C++ -*-===//
//
// Owns one function's arena (allocated once, 64-byte aligned) and the
// storage of its parameters and inputs, binds them by name, runs the
// generated CPU entry point and hands out its outputs.
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

class CpuExecutor {
public:
  CpuExecutor(const Library &library, const std::string &function);

  const ClipFunctionDesc &function() const { return function_; }
  /// Parameter and input storage, in descriptor order.
  void *param(int32_t index) const { return params_[index].data(); }
  void *input(int32_t index) const { return inputs_[index].data(); }
  int32_t paramIndex(const std::string &name) const;
  int32_t inputIndex(const std::string &name) const;

  /// Runs the function; throws RuntimeError with the kernel's message.
  void run();
  /// An output's bytes inside the arena (valid until the next run).
  const void *output(int32_t index) const;

private:
  const ClipFunctionDesc &function_;
  Buffer arena_;
  std::vector<Buffer> params_, inputs_;
  std::vector<void *> paramPointers_, inputPointers_;
};

} // namespace clip::runtime

#endif // CLIP_RUNTIME_CORE_EXECUTOR_H
