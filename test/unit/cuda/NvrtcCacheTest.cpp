//===- NvrtcCacheTest.cpp - What decides a cubin, and that it is repeatable
//===//
//
// clipc stores the cubin it compiled in the clip.so, and the runtime caches
// the ones it compiles: both rely on NVRTC giving the same cubin for the
// same version, options and source, and on the cache key covering all three.
//
//===----------------------------------------------------------------------===//

#include "runtime/gpu/Nvrtc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

namespace {

constexpr const char *kKernel = R"cuda(
extern "C" __global__ void scale(float *x, float s, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= s;
}
)cuda";

std::unique_ptr<clip::gpu::Nvrtc> loadNvrtc() {
  try {
    return std::make_unique<clip::gpu::Nvrtc>();
  } catch (const std::exception &) {
    return nullptr;
  }
}

TEST(CudaKernelsNvrtc, CacheKeyCoversVersionOptionsAndSource) {
  auto nvrtc = loadNvrtc();
  if (!nvrtc)
    GTEST_SKIP() << "libnvrtc could not be loaded (no CUDA toolkit)";
  const std::string key = nvrtc->cacheKey(kKernel, "sm_90");
  EXPECT_EQ(key, nvrtc->cacheKey(kKernel, "sm_90"));
  EXPECT_NE(key, nvrtc->cacheKey(std::string(kKernel) + " ", "sm_90"));
  EXPECT_NE(key, nvrtc->cacheKey(kKernel, "sm_80"));
  EXPECT_EQ(key.substr(key.size() - 6), "-sm_90");
  // The options name the architecture: a key per architecture is a key per
  // option set here.
  const auto options = clip::gpu::Nvrtc::options("sm_90");
  EXPECT_NE(
      std::find(options.begin(), options.end(), "--gpu-architecture=sm_90"),
      options.end());
}

TEST(CudaKernelsNvrtc, SameSourceAndOptionsGiveTheSameCubin) {
  auto nvrtc = loadNvrtc();
  if (!nvrtc)
    GTEST_SKIP() << "libnvrtc could not be loaded (no CUDA toolkit)";
  clip::gpu::Nvrtc::Output first = nvrtc->compile(kKernel, "scale.cu", "sm_90");
  clip::gpu::Nvrtc::Output second =
      nvrtc->compile(kKernel, "scale.cu", "sm_90");
  ASSERT_TRUE(first.ok) << first.log;
  ASSERT_TRUE(second.ok) << second.log;
  ASSERT_GE(first.cubin.size(), 4u);
  EXPECT_EQ(std::string(first.cubin.data(), 4), "\x7f"
                                                "ELF");
  EXPECT_EQ(first.cubin, second.cubin);
}

} // namespace
