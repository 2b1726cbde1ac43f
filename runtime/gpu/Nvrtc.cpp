//===- Nvrtc.cpp - Runtime compilation of CUDA C++ with NVRTC -------------===//

#include "runtime/gpu/Nvrtc.h"

#include "fmt/format.h"

#include <stdexcept>

namespace clip::gpu {

Nvrtc::Nvrtc()
    : library("NVRTC (CUDA 13's libnvrtc)", "CLIPC_NVRTC",
              {"libnvrtc.so.13", "libnvrtc.so",
               "/usr/local/cuda/lib64/libnvrtc.so.13",
               "/usr/local/cuda/lib64/libnvrtc.so"}) {
  library.bind(createProgram, "nvrtcCreateProgram");
  library.bind(compileProgram, "nvrtcCompileProgram");
  library.bind(getLogSize, "nvrtcGetProgramLogSize");
  library.bind(getLog, "nvrtcGetProgramLog");
  library.bind(getCubinSize, "nvrtcGetCUBINSize");
  library.bind(getCubin, "nvrtcGetCUBIN");
  library.bind(destroyProgram, "nvrtcDestroyProgram");
  library.bind(getErrorString, "nvrtcGetErrorString");
  library.bind(getVersion, "nvrtcVersion");
}

std::string Nvrtc::version() const {
  int major = 0, minor = 0;
  getVersion(&major, &minor);
  return fmt::format("{}.{}", major, minor);
}

std::vector<std::string> Nvrtc::options(const std::string &arch) {
  // --split-compile=0: NVRTC compiles the unit's kernels on every core (a
  // training step has hundreds).
  return {"--gpu-architecture=" + arch, "-std=c++17", "--fmad=true",
          "--extra-device-vectorization", "--split-compile=0"};
}

std::string Nvrtc::cacheKey(const std::string &source,
                            const std::string &arch) const {
  // FNV-1a over everything that decides the cubin.
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&](const std::string &text) {
    for (unsigned char c : text)
      hash = (hash ^ c) * 1099511628211ull;
    hash = (hash ^ 0xffu) * 1099511628211ull; // a separator
  };
  mix(version());
  for (const std::string &option : options(arch))
    mix(option);
  mix(source);
  return fmt::format("{:016x}-{}", hash, arch);
}

Nvrtc::Output Nvrtc::compile(const std::string &source, const std::string &name,
                             const std::string &arch) const {
  void *program = nullptr;
  if (int rc = createProgram(&program, source.c_str(), name.c_str(), 0, nullptr,
                             nullptr))
    throw std::runtime_error(fmt::format("NVRTC cannot create a program for "
                                         "{}: {}",
                                         name, getErrorString(rc)));
  const std::vector<std::string> optionText = options(arch);
  std::vector<const char *> optionPointers;
  for (const std::string &option : optionText)
    optionPointers.push_back(option.c_str());
  Output output;
  const int rc = compileProgram(
      program, static_cast<int>(optionPointers.size()), optionPointers.data());
  size_t logSize = 0;
  getLogSize(program, &logSize);
  std::string log(logSize, '\0');
  if (logSize)
    getLog(program, log.data());
  // The log is NUL-terminated; a clean compile leaves only whitespace.
  while (!log.empty() &&
         (log.back() == '\0' || log.back() == '\n' || log.back() == ' '))
    log.pop_back();
  output.log = std::move(log);
  output.ok = rc == 0;
  if (output.ok) {
    size_t size = 0;
    getCubinSize(program, &size);
    output.cubin.resize(size);
    getCubin(program, output.cubin.data());
  } else if (output.log.empty()) {
    output.log = getErrorString(rc);
  }
  destroyProgram(&program);
  return output;
}

} // namespace clip::gpu
