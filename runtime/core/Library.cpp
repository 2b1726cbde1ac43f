//===- Library.cpp - A loaded clip.so -------------------------------------===//

#include "runtime/core/Library.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/stat.h>

namespace clip::runtime {

Library::Library(const std::string &path) : path_(path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    throw RuntimeError(fmt::format("{}: no such file", path));
  // A path without a slash would make dlopen search the library path.
  const std::string openPath =
      path.find('/') == std::string::npos ? "./" + path : path;
  // NODELETE: clip.so links OpenMP and OpenBLAS, whose worker threads
  // outlive the handle; unmapping their code under them crashes at exit.
  handle_ = dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle_)
    throw RuntimeError(fmt::format(
        "{}: not a loadable shared library (truncated or not built by "
        "clipc?): {}",
        path, dlerror()));
  auto entry = reinterpret_cast<ClipLibraryEntry>(
      dlsym(handle_, CLIP_LIBRARY_SYMBOL));
  if (!entry) {
    dlclose(handle_);
    throw RuntimeError(fmt::format(
        "{}: not a clip.so (no `{}` symbol; compile models with clipc)", path,
        CLIP_LIBRARY_SYMBOL));
  }
  desc_ = entry();
  if (!desc_ || desc_->magic != CLIP_LIBRARY_MAGIC) {
    dlclose(handle_);
    throw RuntimeError(fmt::format("{}: not a clip.so (bad magic)", path));
  }
  if (desc_->abiVersion != CLIP_LIBRARY_ABI_VERSION) {
    const int version = desc_->abiVersion;
    dlclose(handle_);
    throw RuntimeError(fmt::format(
        "{}: compiled for clip.so ABI version {}, this runtime reads version "
        "{}; recompile it with this clipc",
        path, version, CLIP_LIBRARY_ABI_VERSION));
  }
}

Library::~Library() {
  if (handle_)
    dlclose(handle_);
}

const ClipFunctionDesc &Library::function(const std::string &name) const {
  std::string names;
  for (int32_t i = 0; i < desc_->numFunctions; ++i) {
    if (name == desc_->functions[i].name)
      return desc_->functions[i];
    names += fmt::format("{}{}", i ? ", " : "", desc_->functions[i].name);
  }
  throw RuntimeError(
      fmt::format("{}: no function `{}` (it has: {})", path_, name, names));
}

int64_t elementCount(const ClipTensorDesc &tensor) {
  int64_t count = 1;
  for (int32_t d = 0; d < tensor.rank; ++d)
    count *= tensor.shape[d];
  return count;
}

int64_t byteSize(const ClipTensorDesc &tensor) {
  return elementCount(tensor) *
         (tensor.dtype == CLIP_I64 ? 8 : tensor.dtype == CLIP_BOOL ? 1 : 4);
}

const char *dtypeName(int32_t dtype) {
  return dtype == CLIP_I64 ? "i64" : dtype == CLIP_BOOL ? "i1" : "f32";
}

std::string shapeString(const ClipTensorDesc &tensor) {
  std::string text = "[";
  for (int32_t d = 0; d < tensor.rank; ++d)
    text += fmt::format("{}{}", d ? ", " : "", tensor.shape[d]);
  return text + "]";
}

} // namespace clip::runtime
