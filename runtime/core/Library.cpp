//===- Library.cpp - A loaded clip.so -------------------------------------===//

#include "runtime/core/Library.h"

#include <dlfcn.h>
#include <elf.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>

namespace clip::runtime {

namespace {
/// dlopen maps a file's segments as its headers describe them; a truncated
/// file then faults (SIGBUS) on first touch instead of failing. So check
/// first that the file is a 64-bit ELF whose segments and section table lie
/// inside it.
void checkElf(const std::string &path, int64_t fileSize) {
  auto fail = [&](const std::string &why) {
    throw RuntimeError(fmt::format(
        "{}: not a loadable shared library (truncated or not built by "
        "clipc?): {}",
        path, why));
  };
  FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    fail("cannot open it");
  Elf64_Ehdr header;
  const bool complete = std::fread(&header, sizeof header, 1, file) == 1;
  if (!complete || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64) {
    std::fclose(file);
    fail("no 64-bit ELF header");
  }
  int64_t needed = static_cast<int64_t>(header.e_shoff) +
                   int64_t(header.e_shnum) * header.e_shentsize;
  needed = std::max<int64_t>(needed, header.e_phoff + int64_t(header.e_phnum) *
                                                          header.e_phentsize);
  if (needed <= fileSize && header.e_phentsize == sizeof(Elf64_Phdr) &&
      std::fseek(file, header.e_phoff, SEEK_SET) == 0)
    for (int i = 0; i < header.e_phnum; ++i) {
      Elf64_Phdr segment;
      if (std::fread(&segment, sizeof segment, 1, file) != 1)
        break;
      needed = std::max<int64_t>(needed, segment.p_offset + segment.p_filesz);
    }
  std::fclose(file);
  if (needed > fileSize)
    fail(fmt::format("{} bytes, its headers describe {}", fileSize, needed));
}
/// A clip.so's code (the generated kernels and the CPU kernel library) is
/// compiled for CLIP_CPU_ISA; on a CPU below it, it would die of SIGILL at
/// the first such instruction, possibly mid-run. Refuse before dlopen.
void checkCpu(const std::string &path) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports(CLIP_CPU_ISA))
    return;
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
  need(__builtin_cpu_supports("f16c"), "F16C");
  need(__builtin_cpu_supports("movbe"), "MOVBE");
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
