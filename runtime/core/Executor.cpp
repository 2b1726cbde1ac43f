//===- Executor.cpp - Run a compiled function on the CPU ------------------===//

#include "runtime/core/Executor.h"

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <omp.h>

namespace clip::runtime {

Buffer::Buffer(int64_t bytes) : bytes_(bytes) {
  // aligned_alloc wants a multiple of the alignment.
  const size_t rounded =
      static_cast<size_t>((std::max<int64_t>(bytes, 1) + 63) / 64 * 64);
  void *p = std::aligned_alloc(64, rounded);
  if (!p)
    throw RuntimeError(fmt::format("out of memory allocating {} bytes", bytes));
  data_.reset(p);
}

void Buffer::Free::operator()(void *p) const { std::free(p); }

CpuExecutor::CpuExecutor(const Library &library, const std::string &function)
    : Executor(library.function(function)) {
  if (!function_.runCpu)
    throw RuntimeError(fmt::format(
        "{}: @{} was compiled without the CPU target (clipc --target cpu)",
        library.path(), function));
  library.checkCpuBlas();
  for (int32_t i = 0; i < function_.numParams; ++i) {
    params_.emplace_back(byteSize(function_.params[i]));
    std::memset(params_.back().data(), 0, params_.back().bytes());
    paramPointers_.push_back(params_.back().data());
  }
  for (int32_t i = 0; i < function_.numInputs; ++i) {
    inputs_.emplace_back(byteSize(function_.inputs[i]));
    std::memset(inputs_.back().data(), 0, inputs_.back().bytes());
    inputPointers_.push_back(inputs_.back().data());
  }
}

int32_t Executor::paramIndex(const std::string &name) const {
  for (int32_t i = 0; i < function_.numParams; ++i)
    if (name == function_.params[i].name)
      return i;
  return -1;
}

int32_t Executor::inputIndex(const std::string &name) const {
  for (int32_t i = 0; i < function_.numInputs; ++i)
    if (name == function_.inputs[i].name)
      return i;
  return -1;
}

void Executor::bindParam(int32_t, void *) {
  throw RuntimeError(fmt::format("@{} on {} cannot read parameters from "
                                 "another function's storage",
                                 function_.name, deviceName()));
}

void Executor::bindInput(int32_t, void *) {
  throw RuntimeError(fmt::format("@{} on {} cannot read inputs from another "
                                 "function's storage",
                                 function_.name, deviceName()));
}

void Executor::checkNumerics(bool on) {
  if (on)
    throw RuntimeError(fmt::format("--check-numerics is not available on {} "
                                   "yet (the CPU has it)",
                                   deviceName()));
}

void CpuExecutor::bindParam(int32_t index, void *data) {
  params_[index] = Buffer();
  paramPointers_[index] = data;
}

void CpuExecutor::bindInput(int32_t index, void *data) {
  inputs_[index] = Buffer();
  inputPointers_[index] = data;
}

void CpuExecutor::run() {
  // Allocated when first needed: an executor that only holds parameters
  // (the distributed trainer's @train_step) never needs its arena.
  if (!arena_.data())
    arena_ = Buffer(function_.arenaBytes);
  char error[512] = {0};
  if (function_.runCpu(arena_.data(), paramPointers_.data(),
                       inputPointers_.data(), options_, error,
                       sizeof error) != 0)
    throw RuntimeError(fmt::format("@{}: {}", function_.name, error));
}

std::string CpuExecutor::deviceName() const {
  return fmt::format("the CPU ({} threads)", omp_get_max_threads());
}

const void *CpuExecutor::output(int32_t index) {
  return static_cast<const char *>(arena_.data()) +
         function_.outputs[index].arenaOffset;
}

} // namespace clip::runtime
