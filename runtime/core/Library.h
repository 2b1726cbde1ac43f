//===- Library.h - A loaded clip.so -----------------------------*- C++ -*-===//
//
// Opens a compiled model with dlopen and checks, before trusting anything in
// it, that it is a clip.so (exports `clip_library`, carries the magic) of
// this runtime's ABI version, and that this CPU can run its code (the
// x86-64 level it was compiled for, checked before dlopen runs any of it).
// Before the first CPU run, the BLAS it links is checked on this CPU
// (checkCpuBlas). Closed on destruction.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CORE_LIBRARY_H
#define CLIP_RUNTIME_CORE_LIBRARY_H

#include "runtime/abi/ClipLibrary.h"

#include <stdexcept>
#include <string>

namespace clip::runtime {

class RuntimeError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The BLAS computes wrong GEMMs on this CPU (Library::checkCpuBlas).
class BlasCheckError : public RuntimeError {
public:
  using RuntimeError::RuntimeError;
};

class Library {
public:
  /// Throws RuntimeError naming the file and what is wrong with it.
  explicit Library(const std::string &path);
  ~Library();
  Library(const Library &) = delete;
  Library &operator=(const Library &) = delete;

  const ClipLibraryDesc &desc() const { return *desc_; }
  const std::string &path() const { return path_; }
  /// The function called `name`; throws listing the ones there are.
  const ClipFunctionDesc &function(const std::string &name) const;
  /// Runs the clip.so's GEMM self-check (once); throws BlasCheckError with
  /// the first wrong GEMM shape class.
  void checkCpuBlas() const;

private:
  std::string path_;
  mutable bool blasChecked_ = false;
  void *handle_ = nullptr;
  const ClipLibraryDesc *desc_ = nullptr;
};

/// Elements and bytes of a described tensor.
int64_t elementCount(const ClipTensorDesc &tensor);
int64_t byteSize(const ClipTensorDesc &tensor);
const char *dtypeName(int32_t dtype);
std::string shapeString(const ClipTensorDesc &tensor);

} // namespace clip::runtime

#endif // CLIP_RUNTIME_CORE_LIBRARY_H
