//===- DynamicLibrary.cpp - A dlopen'ed library and its symbols -----------===//

#include "runtime/gpu/DynamicLibrary.h"

#include "fmt/format.h"

#include <cstdlib>
#include <dlfcn.h>
#include <stdexcept>

namespace clip::gpu {

DynamicLibrary::DynamicLibrary(const std::string &what, const char *env,
                               const std::vector<std::string> &candidates)
    : what(what) {
  std::vector<std::string> tried = candidates;
  if (const char *fromEnv = env ? std::getenv(env) : nullptr;
      fromEnv && *fromEnv) {
    // The one the user named, or an error: never another one silently.
    tried = {fromEnv};
  }
  std::string reasons;
  for (const std::string &path : tried) {
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) {
      loadedFrom = path;
      return;
    }
    // "cannot open shared object file" is the usual reason: say it short.
    const char *error = dlerror();
    const std::string reason = error ? error : "";
    reasons += fmt::format("{}{}{}", reasons.empty() ? "" : ", ", path,
                           reason.find("No such file") != std::string::npos
                               ? std::string()
                               : " (" + reason + ")");
  }
  throw std::runtime_error(fmt::format(
      "{} not found (tried {}{})", what, reasons,
      env ? fmt::format("; set {} to its path", env) : std::string()));
}

DynamicLibrary::~DynamicLibrary() {
  // Left loaded on purpose: the CUDA libraries keep threads and atexit
  // handlers that must not outlive their code.
}

void *DynamicLibrary::symbol(const char *name) const {
  dlerror();
  void *address = dlsym(handle, name);
  if (!address)
    throw std::runtime_error(
        fmt::format("{} ({}) has no symbol {}", what, loadedFrom, name));
  return address;
}

void *DynamicLibrary::find(const char *name) const {
  return dlsym(handle, name);
}

} // namespace clip::gpu
