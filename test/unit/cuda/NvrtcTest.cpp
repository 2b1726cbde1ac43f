//===- NvrtcTest.cpp - The device library through NVRTC -------------------===//
//
// The device library's text as generated CUDA units carry it (the files of
// runtime/cuda/DeviceLibrary.cmake, concatenated as cmake/EmbedText.cmake
// does), plus kernels that call every function, compiles with NVRTC for
// sm_90 with an empty log (skipped when libnvrtc cannot be loaded). Also:
// CudaKernels.cuh, the host tests' umbrella, includes the same family files
// in the same order.
//
//===----------------------------------------------------------------------===//

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// CLIP_CUDA_DEVICE_SOURCES of runtime/cuda/DeviceLibrary.cmake (absolute
/// paths, in order; CMake passes them joined by commas).
std::vector<std::string> deviceSources() {
  std::vector<std::string> paths;
  std::stringstream list(CLIP_CUDA_DEVICE_SOURCES);
  for (std::string path; std::getline(list, path, ',');)
    if (!path.empty())
      paths.push_back(path);
  return paths;
}

/// The embedded text: "// ---- <path>\n<text>\n" per file.
std::string deviceLibrary() {
  std::string text;
  for (const std::string &path : deviceSources()) {
    const std::string content = readFile(path);
    EXPECT_FALSE(content.empty()) << path;
    text += "// ---- " + path + "\n" + content + "\n";
  }
  return text;
}

TEST(CudaKernelsLibrary, UmbrellaIncludesTheEmbeddedFilesInOrder) {
  const std::string root = CLIPC_SOURCE_DIR;
  const std::string prefix = root + "/";
  std::vector<std::string> embedded;
  for (const std::string &path : deviceSources()) {
    ASSERT_EQ(path.compare(0, prefix.size(), prefix), 0) << path;
    const std::string relative = path.substr(prefix.size());
    if (relative.compare(0, 13, "runtime/cuda/") == 0)
      embedded.push_back(relative);
  }
  std::vector<std::string> included;
  std::stringstream umbrella(readFile(root + "/runtime/cuda/CudaKernels.cuh"));
  const std::string directive = "#include \"";
  for (std::string line; std::getline(umbrella, line);)
    if (line.compare(0, directive.size(), directive) == 0)
      included.push_back(
          line.substr(directive.size(), line.rfind('"') - directive.size()));
  EXPECT_FALSE(embedded.empty());
  EXPECT_EQ(included, embedded);
}

/// Kernels in the generated form that call every function, so that NVRTC
/// compiles all of them (templates with both element types).
const char *const kKernels = R"cuda(
namespace {
__device__ float *F(char *A, long long offset) { return (float *)(A + offset); }
__device__ long long *L(char *A, long long offset) { return (long long *)(A + offset); }
}
extern "C" __global__ void k_epilogue(char *A, void *const *P, void *const *I) {
  clip::cuda::gemmEpilogue(1024, 1, F(A, 4096), F(A, 0));
  clip::cuda::gemmEpilogue(1024, 3, nullptr, F(A, 0));
}
extern "C" __global__ void k_layer_norm(char *A, void *const *P, void *const *I) {
  clip::cuda::layerNormForward(128, 512, F(A, 0), F(A, 1 << 20), F(A, 2 << 20), (const float *)P[0], (const float *)P[1], 1e-5f, F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20));
  clip::cuda::layerNormGradInput(128, 512, F(A, 0), F(A, 1 << 20), F(A, 2 << 20), F(A, 3 << 20), (const float *)P[0], F(A, 4 << 20));
  clip::cuda::layerNormGradParams(128, 512, F(A, 0), F(A, 1 << 20), F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20));
}
extern "C" __global__ void k_attention(char *A, void *const *P, void *const *I) {
  clip::cuda::attentionForward(96, 50, 50, 64, 64, 0.125f, false, F(A, 0), F(A, 1 << 22), F(A, 2 << 22), F(A, 3 << 22), F(A, 4 << 22));
  clip::cuda::attentionGradQuery(96, 77, 77, 64, 64, 0.125f, true, F(A, 0), F(A, 1 << 22), F(A, 2 << 22), F(A, 3 << 22), F(A, 4 << 22), F(A, 5 << 22), F(A, 6 << 22));
  clip::cuda::attentionGradKeyValue(96, 77, 77, 64, 64, 0.125f, true, F(A, 0), F(A, 1 << 22), F(A, 2 << 22), F(A, 3 << 22), F(A, 4 << 22), F(A, 5 << 22), F(A, 6 << 22), F(A, 7 << 22));
}
extern "C" __global__ void k_contrastive(char *A, void *const *P, void *const *I) {
  clip::cuda::contrastiveLossNorms(64, 512, F(A, 0), F(A, 1 << 20), 1e-6f, F(A, 2 << 20), F(A, 3 << 20));
  clip::cuda::contrastiveLossLse(64, 512, F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20));
  clip::cuda::contrastiveLossTotal(64, 512, F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20), F(A, 6 << 20));
  clip::cuda::contrastiveLossGradScale(64, 512, F(A, 7 << 20), F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20), F(A, 6 << 20));
  clip::cuda::contrastiveLossGradScaleRows(64, 512, F(A, 7 << 20), F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20), F(A, 8 << 20), F(A, 9 << 20));
  clip::cuda::contrastiveLossGradScaleSum(64, F(A, 8 << 20), F(A, 9 << 20), F(A, 6 << 20));
  clip::cuda::contrastiveLossGradEmbeddings(64, 512, F(A, 7 << 20), F(A, 0), F(A, 1 << 20), (const float *)P[0], F(A, 2 << 20), F(A, 3 << 20), F(A, 4 << 20), F(A, 5 << 20), 1e-6f, F(A, 8 << 20), F(A, 9 << 20));
}
extern "C" __global__ void k_conv(char *A, void *const *P, void *const *I) {
  const clip::cuda::Conv2DShape s{8, 3, 32, 32, 16, 3, 3, 16, 16, 2, 2, 1, 1, 1, 1, 1};
  clip::cuda::conv2dForward(s, F(A, 0), (const float *)P[0], nullptr, F(A, 1 << 22));
  clip::cuda::conv2dGradInput(s, F(A, 0), (const float *)P[0], F(A, 1 << 22));
  clip::cuda::conv2dGradWeight(s, F(A, 0), F(A, 2 << 22), F(A, 1 << 22));
  const clip::cuda::Pool2DShape p{24, 32, 32, 16, 16, 2, 2, 2, 2, 0, 0};
  clip::cuda::avgPool2d(p, F(A, 0), F(A, 1 << 22));
  clip::cuda::avgPool2dGrad(p, F(A, 0), F(A, 1 << 22));
  clip::cuda::batchNorm(8, 16, 256, F(A, 0), F(A, 4), F(A, 8), F(A, 12), F(A, 16), 1e-5f, F(A, 1 << 22));
  clip::cuda::batchNormTrain(8, 16, 256, F(A, 0), F(A, 4), F(A, 8), F(A, 12), F(A, 16), 1e-5f, 0.1f, F(A, 1 << 22), F(A, 20), F(A, 24));
}
extern "C" __global__ void k_data(char *A, void *const *P, void *const *I) {
  const long long shape[3] = {4, 5, 6}, src[3] = {1, 4, 20}, dst[3] = {30, 6, 1};
  clip::cuda::stridedCopy<float>(3, shape, F(A, 0), src, F(A, 4096), dst);
  clip::cuda::stridedCopy<long long>(3, shape, L(A, 0), src, L(A, 4096), dst);
  clip::cuda::fill(F(A, 0), 1000, 0.0f);
  const long long kept[1] = {4}, keptStrides[1] = {30}, red[2] = {5, 6}, redStrides[2] = {6, 1};
  clip::cuda::reduce(1, 1, kept, keptStrides, 2, red, redStrides, F(A, 0), F(A, 4096));
  clip::cuda::argmax<float>(4, 5, 6, F(A, 0), L(A, 4096));
  clip::cuda::argmax<long long>(4, 5, 6, L(A, 0), L(A, 4096));
  clip::cuda::softmax(4, 5, 6, true, F(A, 0), F(A, 4096));
  clip::cuda::gather<float>(1, 1, 49408, 512, 77, (const float *)P[0], (const long long *)I[0], F(A, 0), L(A, 8192));
  clip::cuda::gather<long long>(1, 1, 49408, 1, 77, (const long long *)P[0], (const long long *)I[0], L(A, 0), L(A, 8192));
  clip::cuda::gatherGrad(1, 1, 49408, 512, 77, F(A, 0), (const long long *)I[0], F(A, 4096), L(A, 8192));
}
extern "C" __global__ void k_flash(char *A, void *const *P, void *const *I) {
  typedef clip::bf16 B16;
  clip::cuda::flashAttentionForward<64>(96, 197, 197, 0.125f, false, (const B16 *)A, (const B16 *)(A + (1 << 22)), (const B16 *)(A + (2 << 22)), (B16 *)(A + (3 << 22)), F(A, 4 << 22));
  clip::cuda::flashAttentionForward<32>(8, 77, 77, 0.17f, true, (const B16 *)A, (const B16 *)(A + (1 << 22)), (const B16 *)(A + (2 << 22)), (B16 *)(A + (3 << 22)), F(A, 4 << 22));
}
extern "C" __global__ void k_flash_grad_query(char *A, void *const *P, void *const *I) {
  typedef clip::bf16 B16;
  clip::cuda::flashAttentionGradQuery<64>(96, 197, 197, 0.125f, false, (const B16 *)(A + (5 << 22)), (const B16 *)A, (const B16 *)(A + (1 << 22)), (const B16 *)(A + (2 << 22)), (const B16 *)(A + (3 << 22)), F(A, 4 << 22), (B16 *)(A + (6 << 22)));
}
extern "C" __global__ void k_flash_grad_key_value(char *A, void *const *P, void *const *I) {
  typedef clip::bf16 B16;
  clip::cuda::flashAttentionGradKeyValue<64>(96, 197, 197, 0.125f, true, (const B16 *)(A + (5 << 22)), (const B16 *)A, (const B16 *)(A + (1 << 22)), (const B16 *)(A + (2 << 22)), (const B16 *)(A + (3 << 22)), F(A, 4 << 22), (B16 *)(A + (6 << 22)), (B16 *)(A + (7 << 22)));
}
extern "C" __global__ void k_layer_norm_bf16(char *A, void *const *P, void *const *I) {
  typedef clip::bf16 B16;
  clip::cuda::layerNormForwardBf16<3>(50432, 768, (const B16 *)A, (const B16 *)(A + (1 << 27)), (B16 *)(A + (2 << 27)), (const float *)P[0], (const float *)P[1], 1e-5f, (B16 *)(A + (3 << 27)), F(A, 4 << 27), F(A, 5 << 27));
}
extern "C" __global__ void k_layer_norm_bf16_grad(char *A, void *const *P, void *const *I) {
  typedef clip::bf16 B16;
  clip::cuda::layerNormGradInputBf16<3>(50432, 768, (const B16 *)A, (const B16 *)(A + (1 << 27)), F(A, 4 << 27), F(A, 5 << 27), (const float *)P[0], (B16 *)(A + (3 << 27)));
  clip::cuda::layerNormGradParamsPartialBf16(50432, 768, (const B16 *)A, (const B16 *)(A + (1 << 27)), F(A, 4 << 27), F(A, 5 << 27), F(A, 6 << 27));
  clip::cuda::layerNormGradParamsSum(788, 768, F(A, 6 << 27), F(A, 7 << 27), F(A, 7 << 27) + 768);
}
extern "C" __global__ void k_loss_lse(char *A, void *const *P, void *const *I) {
  typedef clip::bf16 B16;
  clip::cuda::contrastiveLossUnits(4096, 512, (const B16 *)A, (const B16 *)(A + (1 << 22)), 1e-6f, F(A, 2 << 22), F(A, 3 << 22), (B16 *)(A + (4 << 22)), (B16 *)(A + (5 << 22)));
  clip::cuda::contrastiveLossTileLse(4096, 512, (const B16 *)(A + (4 << 22)), (const B16 *)(A + (5 << 22)), (const float *)P[0], F(A, 6 << 22), F(A, 7 << 22));
  clip::cuda::contrastiveLossTileTotal(4096, 512, (const B16 *)(A + (4 << 22)), (const B16 *)(A + (5 << 22)), (const float *)P[0], F(A, 6 << 22), F(A, 7 << 22), F(A, 8 << 22));
}
extern "C" __global__ void k_loss_grad(char *A, void *const *P, void *const *I) {
  typedef clip::bf16 B16;
  clip::cuda::contrastiveLossGradUnits(4096, 512, (const B16 *)A, (const B16 *)(A + (1 << 22)), F(A, 2 << 22), F(A, 3 << 22), (B16 *)(A + (4 << 22)), (B16 *)(A + (5 << 22)));
  clip::cuda::contrastiveLossTileGrad(4096, 512, F(A, 9 << 22), (const B16 *)(A + (4 << 22)), (const B16 *)(A + (5 << 22)), (const float *)P[0], F(A, 6 << 22), F(A, 7 << 22), F(A, 10 << 22), F(A, 11 << 22), (double *)(A + (12 << 22)));
  clip::cuda::contrastiveLossGradFinish(4096, 512, (const B16 *)A, (const B16 *)(A + (1 << 22)), (const float *)P[0], F(A, 2 << 22), F(A, 3 << 22), 1e-6f, F(A, 10 << 22), F(A, 11 << 22), (const double *)(A + (12 << 22)), (B16 *)(A + (13 << 22)), (B16 *)(A + (14 << 22)), F(A, 15 << 22));
  clip::cuda::contrastiveLossGradFinish(4096, 512, (const B16 *)A, (const B16 *)(A + (1 << 22)), (const float *)P[0], F(A, 2 << 22), F(A, 3 << 22), 1e-6f, F(A, 10 << 22), F(A, 11 << 22), (const double *)(A + (12 << 22)), F(A, 13 << 22), F(A, 14 << 22), F(A, 15 << 22));
}
extern "C" __global__ void k_warp(char *A, void *const *P, void *const *I) {
  __shared__ __align__(16) clip::bf16 tile[16 * 16];
  __shared__ __align__(16) float staged[4 * 256];
  const unsigned lane = threadIdx.x % 32;
  clip::cuda::cpAsync16(staged + 4 * threadIdx.x, F(A, 16 * threadIdx.x));
  clip::cuda::cpAsyncCommit();
  clip::cuda::cpAsyncWait<0>();
  __syncthreads();
  const float4 v = clip::cuda::load4(staged + 4 * threadIdx.x);
  if (threadIdx.x < 64)
    clip::cuda::store8(reinterpret_cast<clip::bf16 *>(tile) + 8 * (threadIdx.x % 32), clip::cuda::load8(reinterpret_cast<const clip::bf16 *>(A) + 8 * threadIdx.x));
  __syncthreads();
  unsigned a[4], b2[2], bt[2], x1[1], x4t[4];
  const clip::bf16 *row = tile + (lane % 16) * 16 + 8 * (lane / 16);
  clip::cuda::ldmatrix<4, false>(a, row);
  clip::cuda::ldmatrix<2, false>(b2, row);
  clip::cuda::ldmatrix<2, true>(bt, row);
  clip::cuda::ldmatrix<1, false>(x1, row);
  clip::cuda::ldmatrix<4, true>(x4t, row);
  float c[4] = {v.x, v.y, v.z, v.w}, d[4];
  clip::cuda::mmaBf16(d, a, b2, c);
  clip::cuda::mmaBf16(d, x4t, bt, d);
  d[0] += __shfl_xor_sync(0xffffffffu, d[1], 1) + __int_as_float(x1[0]);
  d[1] = static_cast<float>(__ballot_sync(0xffffffffu, d[0] > 0.0f));
  clip::cuda::store4(F(A, 1 << 20) + 4 * threadIdx.x, make_float4(d[0], d[1], d[2], d[3]) );
  (void)clip::cuda::packBf16(d[2], d[3]);
}
)cuda";

TEST(CudaKernelsNvrtc, CompilesWithoutWarnings) {
  void *library = nullptr;
  for (const char *name :
       {"libnvrtc.so.13", "/usr/local/cuda/lib64/libnvrtc.so.13",
        "/usr/local/cuda/lib64/libnvrtc.so", "libnvrtc.so"})
    if ((library = dlopen(name, RTLD_NOW | RTLD_LOCAL)))
      break;
  if (!library)
    GTEST_SKIP() << "libnvrtc could not be loaded (no CUDA toolkit): "
                 << dlerror();
  using Create = int (*)(void **, const char *, const char *, int,
                         const char *const *, const char *const *);
  using Compile = int (*)(void *, int, const char *const *);
  using LogSize = int (*)(void *, size_t *);
  using Log = int (*)(void *, char *);
  using Destroy = int (*)(void **);
  using ErrorString = const char *(*)(int);
  auto create = reinterpret_cast<Create>(dlsym(library, "nvrtcCreateProgram"));
  auto compile =
      reinterpret_cast<Compile>(dlsym(library, "nvrtcCompileProgram"));
  auto logSize =
      reinterpret_cast<LogSize>(dlsym(library, "nvrtcGetProgramLogSize"));
  auto getLog = reinterpret_cast<Log>(dlsym(library, "nvrtcGetProgramLog"));
  auto destroy =
      reinterpret_cast<Destroy>(dlsym(library, "nvrtcDestroyProgram"));
  auto errorString =
      reinterpret_cast<ErrorString>(dlsym(library, "nvrtcGetErrorString"));
  ASSERT_TRUE(create && compile && logSize && getLog && destroy && errorString);

  const std::string source = deviceLibrary() + kKernels;

  void *program = nullptr;
  ASSERT_EQ(
      create(&program, source.c_str(), "clip_kernels.cu", 0, nullptr, nullptr),
      0);
  const char *options[] = {"-std=c++17", "--gpu-architecture=sm_90"};
  const int result = compile(program, 2, options);
  size_t size = 0;
  logSize(program, &size);
  std::string log(size, '\0');
  if (size > 0)
    getLog(program, log.data());
  destroy(&program);
  log.erase(std::find(log.begin(), log.end(), '\0'), log.end());
  const bool blank = log.find_first_not_of(" \t\r\n") == std::string::npos;
  EXPECT_EQ(result, 0) << errorString(result) << "\n" << log;
  EXPECT_TRUE(blank) << "NVRTC log (warnings are errors here):\n" << log;
}

} // namespace
