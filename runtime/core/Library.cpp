//===- Library.cpp - A loaded clip.so -------------------------------------===//

#include "runtime/core/Library.h"
#include "runtime/core/LibraryCheck.h"

#include <dlfcn.h>
#include <cpuid.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace clip::runtime {

namespace {
/// dlopen maps a file's segments as its headers describe them; a truncated
/// file then faults (SIGBUS) on first touch instead of failing.
void checkElf(const std::string &path, uint64_t fileSize) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::string problem = "cannot open it";
  if (fd >= 0) {
    problem = elfLayoutProblem(fileSize, [&](uint64_t offset, void *out,
                                             size_t size) {
      return offset <= uint64_t(INT64_MAX) &&
             ::pread(fd, out, size, off_t(offset)) == ssize_t(size);
    });
    ::close(fd);
  }
  if (!problem.empty())
    throw RuntimeError(fmt::format(
        "{}: not a loadable shared library (truncated or not built by "
        "clipc?): {}",
        path, problem));
}
/// A clip.so's code (the generated kernels and the CPU kernel library) is
/// compiled for CLIP_CPU_ISA; on a CPU below it, it would die of SIGILL at
/// the first such instruction, possibly mid-run. Refuse before dlopen.
void checkCpu(const std::string &path) {
  __builtin_cpu_init();
#if defined(__clang__) && __clang_major__ < 16
  // clang before 16 (the fuzzing build's) knows neither the x86-64 levels
  // nor F16C and MOVBE here: those two from CPUID, the level from the list.
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const bool leaf1 = __get_cpuid(1, &eax, &ebx, &ecx, &edx);
  const bool f16c = leaf1 && (ecx & bit_F16C), movbe = leaf1 && (ecx & bit_MOVBE);
#else
  if (__builtin_cpu_supports(CLIP_CPU_ISA))
    return;
  const bool f16c = __builtin_cpu_supports("f16c");
  const bool movbe = __builtin_cpu_supports("movbe");
#endif
  std::string missing;
  auto need = [&](bool has, const char *name) {
    if (!has)
      missing += fmt::format("{}{}", missing.empty() ? "" : ", ", name);
  };
  need(__builtin_cpu_supports("avx"), "AVX");
  need(__builtin_cpu_supports("avx2"), "AVX2");
  need(__builtin_cpu_supports("fma"), "FMA");
  need(__builtin_cpu_supports("bmi"), "BMI1");
  need(__builtin_cpu_supports("bmi2"), "BMI2");
  need(f16c, "F16C");
  need(movbe, "MOVBE");
#if defined(__clang__) && __clang_major__ < 16
  if (missing.empty())
    return;
#endif
  throw RuntimeError(fmt::format(
      "{}: its CPU code is built for {} (Intel Haswell, AMD Excavator or "
      "newer), which this CPU is not{}{}",
      path, CLIP_CPU_ISA, missing.empty() ? "" : "; it lacks ", missing));
}
} // namespace

Library::Library(const std::string &path) : path_(path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    throw RuntimeError(fmt::format("{}: no such file", path));
  checkElf(path, info.st_size);
  checkCpu(path);
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
  auto entry =
      reinterpret_cast<ClipLibraryEntry>(dlsym(handle_, CLIP_LIBRARY_SYMBOL));
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
  if (std::string problem = descriptorProblem(*desc_); !problem.empty()) {
    dlclose(handle_);
    throw RuntimeError(fmt::format(
        "{}: an inconsistent clip.so descriptor (not built by this clipc?): "
        "{}",
        path, problem));
  }
  // A stored cubin is an ELF image for a named architecture; anything else
  // would fail later, inside the driver, with less to go on.
  for (int32_t i = 0; i < desc_->numFunctions; ++i) {
    const ClipFunctionDesc &fn = desc_->functions[i];
    if (fn.cudaCubinSize == 0)
      continue;
    if (fn.cudaCubinSize < 4 || !fn.cudaCubin || !fn.cudaArch ||
        std::memcmp(fn.cudaCubin,
                    "\x7f"
                    "ELF",
                    4) != 0) {
      dlclose(handle_);
      throw RuntimeError(
          fmt::format("{}: @{}'s stored cubin is not an ELF image for a named "
                      "architecture; recompile it with this clipc",
                      path, fn.name));
    }
  }
}

void Library::checkCpuBlas() const {
  if (blasChecked_)
    return;
  char error[512] = {0};
  if (desc_->cpuSelfCheck(error, sizeof error) != 0)
    throw BlasCheckError(fmt::format("{}: {}", path_, error));
  blasChecked_ = true;
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
  return elementCount(tensor) * (tensor.dtype == CLIP_I64    ? 8
                                 : tensor.dtype == CLIP_BOOL ? 1
                                                             : 4);
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
