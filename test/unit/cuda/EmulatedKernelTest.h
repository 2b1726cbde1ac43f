//===- EmulatedKernelTest.h - Shared by the emulated CUDA kernel tests ----===//
//
// The tests of test/unit/cuda (clip-cuda-kernels-tests), one file per
// family file of the device library (runtime/cuda/<Family>.cuh ->
// <Family>Test.cpp, Common.cuh's block reductions in CommonTest.cpp), run
// every function on the CPU under runtime/cuda/HostEmulation.h (blocks in
// turn, a block's threads as std::threads) on random f32 inputs with fixed
// seeds, and compare it with the CPU kernel library
// (runtime/cpu/CpuKernels.h) by the relative L2 error ||device - cpu|| /
// ||cpu|| over each whole result (test/unit/KernelTestHarness.h). Each case
// runs under several launch shapes (kLaunches): block sizes 1, 7, 32 (and
// 256 where cheap) with grids of 1 to 3 blocks, so grid-stride loops, block
// reductions over non-power-of-two blocks and chunked loops are all taken
// (and the block reductions alone run for every block size up to 40 and
// others to 256). Outputs are poisoned with NaN before each launch: an
// element a kernel forgets to write fails the comparison.
//
// Bound: kTolerance (1e-5). Both sides compute in f32 with the same
// formulas (and the same double accumulations); they differ only in
// summation order (block tree or chunked sums here, sequential or
// BLAS-blocked sums on the CPU) and in the exp/erf implementations: the
// errors seen are 1e-8..1e-6. Integer results (argmax, gathers of i64,
// copies, error words) must match exactly.
//
// NvrtcTest.cpp also compiles the library's embedded text with NVRTC for
// sm_90 (an empty log; skipped when libnvrtc cannot be loaded).
//
// Include this first, then the family file under test.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_TEST_UNIT_CUDA_EMULATEDKERNELTEST_H
#define CLIP_TEST_UNIT_CUDA_EMULATEDKERNELTEST_H

// Before any runtime/cuda/*.cuh.
#include "runtime/cuda/HostEmulation.h"

#include "runtime/cpu/CpuKernels.h"
#include "test/unit/KernelTestHarness.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cu = clip::cuda;
namespace cpu = clip::cpu;
using clip::cuda::emulation::launch;
using i64 = long long;

namespace clip::test {

inline const float kNan = std::numeric_limits<float>::quiet_NaN();
inline const float kInf = std::numeric_limits<float>::infinity();

/// Launch shapes every case runs under: {grid, block}.
struct Launch {
  unsigned grid, block;
};
inline const std::vector<Launch> kLaunches = {{1, 1}, {3, 1}, {2, 7}, {3, 32}};
/// The same plus a full 256-thread block (slow under emulation: for the
/// small cases only).
inline std::vector<Launch> withWide() {
  std::vector<Launch> all = kLaunches;
  all.push_back({2, 256});
  return all;
}

inline std::string describe(const Launch &l) {
  return "grid " + std::to_string(l.grid) + " block " + std::to_string(l.block);
}

/// `count` NaNs: an output a kernel must overwrite.
inline std::vector<float> poisoned(i64 count) {
  return std::vector<float>(static_cast<size_t>(count), kNan);
}

/// clip::cpu takes int64_t (long) pointers, the device long long ones.
inline const int64_t *asCpu(const long long *p) {
  return reinterpret_cast<const int64_t *>(p);
}
inline int64_t *asCpu(long long *p) { return reinterpret_cast<int64_t *>(p); }

/// bf16 values as f32 (exact): the f32 reference kernels' inputs.
inline std::vector<float> widen(const std::vector<clip::bf16> &v) {
  return std::vector<float>(v.begin(), v.end());
}

/// ||got - want|| / ||want|| (L2, in double) of a bf16 result.
inline double relL2(const std::vector<clip::bf16> &got,
                    const std::vector<float> &want) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = static_cast<float>(got[i]), w = want[i];
    err += (g - w) * (g - w);
    norm += w * w;
  }
  return std::sqrt(err / std::max(norm, 1e-30));
}

} // namespace clip::test

#endif // CLIP_TEST_UNIT_CUDA_EMULATEDKERNELTEST_H
