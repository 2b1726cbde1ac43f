//===- Nvrtc.h - Runtime compilation of CUDA C++ with NVRTC -----*- C++ -*-===//
//
// NVRTC, loaded with dlopen: compiles a clip.so's CUDA source to a cubin for
// one GPU architecture. Needs no GPU (clipc uses it to check every kernel
// at compile time) and no CUDA headers (the device library includes none).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_GPU_NVRTC_H
#define CLIP_RUNTIME_GPU_NVRTC_H

#include "runtime/gpu/DynamicLibrary.h"

#include <string>
#include <vector>

namespace clip::gpu {

class Nvrtc {
public:
  /// Loads libnvrtc ($CLIPC_NVRTC, then the CUDA 13 sonames and
  /// /usr/local/cuda); throws with every place tried.
  Nvrtc();

  struct Output {
    bool ok = false;
    std::string log;         ///< errors and warnings ("" when clean)
    std::vector<char> cubin; ///< when ok
  };
  /// Compiles `source` (named `name` in messages) for `arch` ("sm_90").
  Output compile(const std::string &source, const std::string &name,
                 const std::string &arch) const;
  /// "13.0"
  std::string version() const;

  /// The options every compile uses for `arch`.
  static std::vector<std::string> options(const std::string &arch);
  /// A key for a cubin of `source` for `arch`: NVRTC's version, the options
  /// and the source all go into it, so changing any compiles anew.
  std::string cacheKey(const std::string &source,
                       const std::string &arch) const;

private:
  DynamicLibrary library;
  int (*createProgram)(void **, const char *, const char *, int,
                       const char *const *, const char *const *) = nullptr;
  int (*compileProgram)(void *, int, const char *const *) = nullptr;
  int (*getLogSize)(void *, size_t *) = nullptr;
  int (*getLog)(void *, char *) = nullptr;
  int (*getCubinSize)(void *, size_t *) = nullptr;
  int (*getCubin)(void *, char *) = nullptr;
  int (*destroyProgram)(void **) = nullptr;
  const char *(*getErrorString)(int) = nullptr;
  int (*getVersion)(int *, int *) = nullptr;
};

} // namespace clip::gpu

#endif // CLIP_RUNTIME_GPU_NVRTC_H
