//===- OpenBlasCore.h - Tests under a forced OpenBLAS core type -----------===//
//
// CMake runs the CPU kernel tests once per OpenBLAS core type
// (OPENBLAS_CORETYPE). Forcing kernels this CPU cannot execute would die of
// SIGILL, and a name this OpenBLAS build lacks falls back silently, so such
// runs skip, saying why.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_TEST_UNIT_CPU_OPENBLASCORE_H
#define CLIP_TEST_UNIT_CPU_OPENBLASCORE_H

#include "runtime/cpu/GemmCheck.h"

#include <strings.h>

#include <cstdlib>
#include <string>

namespace clip::test {

/// The CPU features OpenBLAS's kernels for `core` execute that this CPU
/// lacks (empty: it can run them).
inline std::string missingCpuFeatures(const std::string &core) {
  __builtin_cpu_init();
  std::string missing;
  auto need = [&](bool has, const char *name) {
    if (!has)
      missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  if (core == "Prescott")
    need(__builtin_cpu_supports("sse3"), "SSE3");
  else if (core == "Nehalem")
    need(__builtin_cpu_supports("sse4.2"), "SSE4.2");
  else if (core == "Barcelona")
    need(__builtin_cpu_supports("sse4a"), "SSE4a");
  else if (core == "Sandybridge")
    need(__builtin_cpu_supports("avx"), "AVX");
  else if (core == "Haswell" || core == "Zen") {
    need(__builtin_cpu_supports("avx2"), "AVX2");
    need(__builtin_cpu_supports("fma"), "FMA");
  } else if (core == "SkylakeX" || core == "Cooperlake") {
    need(__builtin_cpu_supports("avx512f"), "AVX-512F");
    need(__builtin_cpu_supports("avx512bw"), "AVX-512BW");
    need(__builtin_cpu_supports("avx512dq"), "AVX-512DQ");
    need(__builtin_cpu_supports("avx512vl"), "AVX-512VL");
    if (core == "Cooperlake")
      need(__builtin_cpu_supports("avx512bf16"), "AVX-512 BF16");
  } else {
    missing = "(the test has no feature list for this core type)";
  }
  return missing;
}

/// Why the tests cannot run under OPENBLAS_CORETYPE here; empty when they
/// can (or when it is not set: OpenBLAS's own choice for this CPU).
inline std::string openBlasCoreSkipReason() {
  const char *wanted = std::getenv("OPENBLAS_CORETYPE");
  if (!wanted)
    return "";
  const std::string missing = missingCpuFeatures(wanted);
  if (!missing.empty())
    return std::string("this CPU cannot run OpenBLAS's ") + wanted +
           " kernels: it lacks " + missing;
  const std::string core = cpu::blasCoreName();
  if (strcasecmp(core.c_str(), wanted) != 0)
    return "OpenBLAS runs " + core + " kernels, not " + wanted +
           " (not in this build)";
  return "";
}

} // namespace clip::test

#endif // CLIP_TEST_UNIT_CPU_OPENBLASCORE_H
