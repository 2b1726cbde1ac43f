//===- DynamicLibrary.h - A dlopen'ed library and its symbols ---*- C++ -*-===//
//
// The GPU backend loads the CUDA driver, NVRTC and cuBLASLt at run time, so
// every binary starts (and the CPU backend works) on a machine without
// them; a GPU request there fails with one message naming what is missing.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_GPU_DYNAMICLIBRARY_H
#define CLIP_RUNTIME_GPU_DYNAMICLIBRARY_H

#include <string>
#include <vector>

namespace clip::gpu {

class DynamicLibrary {
public:
  /// Opens the first of `candidates` that loads, or the `$env` value alone
  /// when it is set; throws, naming `what` and every place tried.
  DynamicLibrary(const std::string &what, const char *env,
                 const std::vector<std::string> &candidates);
  ~DynamicLibrary();
  DynamicLibrary(const DynamicLibrary &) = delete;
  DynamicLibrary &operator=(const DynamicLibrary &) = delete;

  /// The address of `name`; throws if the library lacks it.
  void *symbol(const char *name) const;
  /// The address of `name`, or null.
  void *find(const char *name) const;
  template <typename F> void bind(F &function, const char *name) const {
    function = reinterpret_cast<F>(symbol(name));
  }
  const std::string &path() const { return loadedFrom; }

private:
  std::string what, loadedFrom;
  void *handle = nullptr;
};

} // namespace clip::gpu

#endif // CLIP_RUNTIME_GPU_DYNAMICLIBRARY_H
