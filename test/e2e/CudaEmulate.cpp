//===- CudaEmulate.cpp - A clip.so's CUDA steps on the host emulator ------===//
//
// clip-cuda-emulate LIB FUNCTION PARAMS INPUTS OUT [BLOCK]
//
// Runs one function's CUDA path without a GPU: the function's CUDA unit (the
// text NVRTC compiles) is compiled as host C++ under runtime/cuda/
// HostEmulation.h into a temporary shared library, and the step table runs
// in order: each kernel step as an emulated launch of its grid and block,
// each GEMM step by a reference GEMM that reads the step's ClipCudaGemm as
// runtime/abi/ClipLibrary.h defines it (row-major, element batch strides,
// storage types, f32 bias, residual) with double accumulation, rounding once
// to the result's storage. So the generated kernels, their launch geometry,
// the step table, the bf16 staging past the arena and the gather error
// slots are checked end to end on the CPU; what it does not check is the
// CUDA executor's mapping of a GEMM onto cuBLASLt (that needs a GPU).
// Parameters and inputs come from safetensors (clip-run step --save-params
// / --save-inputs); the outputs are written to OUT. BLOCK, when given, runs
// every kernel with blocks of that many threads instead of the step's: the
// device library is correct for any block size in [1, 256] (its contract;
// runtime/cuda's own tests run each function at several), and on a 2-core
// machine the emulator's barriers among a block's threads cost minutes of
// futex calls for a whole step (tiny ViT, batch 2: 8 minutes with 256
// threads, 1.3 s with 1).
//
//===----------------------------------------------------------------------===//
#include "runtime/abi/ClipLibrary.h"
#include "runtime/core/Library.h"
#include "runtime/cuda/HostEmulation.h"
#include "runtime/cuda/Optimizer.cuh"
#include "runtime/io/Safetensors.h"
#include "runtime/kernels/ScalarMath.h"
#include "runtime/train/Optimizer.h"

#include "fmt/format.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

namespace {

using clip::runtime::Library;
namespace io = clip::io;

using Kernel = void (*)(char *, void *const *, void *const *);
using Launcher = void (*)(Kernel, unsigned, unsigned, char *, void *const *,
                          void *const *);

[[noreturn]] void fail(const std::string &message) {
  fmt::print(stderr, "clip-cuda-emulate: {}\n", message);
  std::exit(1);
}

int64_t bytesOf(const ClipTensorDesc &t) {
  int64_t n = 1;
  for (int32_t d = 0; d < t.rank; ++d)
    n *= t.shape[d];
  return n * (t.dtype == CLIP_I64 ? 8 : t.dtype == CLIP_BOOL ? 1 : 4);
}

/// Compiles the unit as host C++ and loads it.
void *compileUnit(const ClipFunctionDesc &fn,
                  const std::filesystem::path &dir) {
  // The unit spells int64_t itself (NVRTC has no <cstdint>) as long long;
  // on the host <cstdint> (through HostEmulation.h) defines it as long. So
  // the unit goes into a namespace of its own, where its typedef is the one
  // seen. The device library is included first, at global scope, so the
  // unit's copy of it is skipped by its include guards and the kernels call
  // the library's own clip::cuda (the same text; NVRTC checks the copy).
  const std::string source = fn.cudaSource;
  const std::filesystem::path cpp = dir / (std::string(fn.name) + ".cpp"),
                              so = dir / (std::string(fn.name) + ".so");
  {
    std::ofstream os(cpp);
    os << "#include \"runtime/cuda/HostEmulation.h\"\n"
       << "#include \"runtime/cuda/CudaKernels.cuh\"\n"
       << "namespace clip_emulated {\n"
       << source << "\n} // namespace clip_emulated\n"
       << "extern \"C\" long long *clip_emulate_errors() { return "
          "clip_emulated::clip_error; }\n"
       << "extern \"C\" void clip_emulate_update(unsigned grid, unsigned "
          "block, clip::cuda::TensorChunks c, float *const *x, const float "
          "*const *g, float *const *m, float *const *v, const "
          "clip::scalar::AdamWStep *steps, double *partial, double maxNorm, "
          "double *norm, long long clampTensor, float clampMax) {\n"
       << "  using namespace clip_emulated;\n"
       << "  clip::cuda::emulation::launch(grid, block, [&] { "
       << CLIP_CUDA_SUM_SQUARES << "(c, g, partial); });\n"
       << "  clip::cuda::emulation::launch(1, block, [&] { "
       << CLIP_CUDA_GLOBAL_NORM << "(c.count, partial, maxNorm, norm); });\n"
       << "  clip::cuda::emulation::launch(grid, block, [&] { "
       << CLIP_CUDA_ADAMW
       << "(c, x, g, m, v, steps, norm, clampTensor, clampMax); });\n}\n"
       << "extern \"C\" void clip_emulate(void (*kernel)(char *, void *const "
          "*, void *const *), unsigned grid, unsigned block, char *A, void "
          "*const *P, void *const *I) {\n"
       << "  clip::cuda::emulation::launch(grid, block, [&] { kernel(A, P, "
          "I); });\n}\n";
  }
  const std::string command =
      fmt::format("c++ -std=c++17 -O1 -shared -fPIC -w -I{} {} -o {} -lpthread",
                  CLIPC_SOURCE_DIR, cpp.string(), so.string());
  if (std::system(command.c_str()) != 0)
    fail(fmt::format("the host compiler failed on @{}'s CUDA unit: {}", fn.name,
                     command));
  void *handle = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    fail(fmt::format("dlopen {}: {}", so.string(), dlerror()));
  return handle;
}

float load(const char *p, int32_t dtype, int64_t i) {
  if (dtype == CLIP_BF16)
    return reinterpret_cast<const clip::bf16 *>(p)[i];
  return reinterpret_cast<const float *>(p)[i];
}

void store(char *p, int32_t dtype, int64_t i, double v) {
  if (dtype == CLIP_BF16)
    reinterpret_cast<clip::bf16 *>(p)[i] = static_cast<float>(v);
  else
    reinterpret_cast<float *>(p)[i] = static_cast<float>(v);
}

using Update = void (*)(unsigned, unsigned, clip::cuda::TensorChunks,
                        float *const *, const float *const *, float *const *,
                        float *const *, const clip::scalar::AdamWStep *,
                        double *, double, double *, long long, float);

/// One AdamW step of every trainable parameter on the step's gradients, by
/// the unit's update kernels (CLIP_CUDA_SUM_SQUARES, _GLOBAL_NORM, _ADAMW)
/// and by the host optimizer (runtime/train), clipping at half the norm so
/// that it acts: parameters and moments must be identical.
void checkUpdate(const ClipFunctionDesc &fn, Update update, char *arena,
                 const std::vector<std::vector<char>> &params, int block) {
  const std::string prefix = CLIP_GRAD_PREFIX;
  std::vector<std::string> names;
  std::vector<std::vector<float>> host, device, m, v;
  std::vector<const float *> grads;
  std::vector<int64_t> counts;
  for (int32_t o = 0; o < fn.numOutputs; ++o) {
    const std::string out = fn.outputs[o].name;
    if (out.compare(0, prefix.size(), prefix) != 0)
      continue;
    const std::string name = out.substr(prefix.size());
    int32_t p = 0;
    while (p < fn.numParams && name != fn.params[p].name)
      ++p;
    if (p == fn.numParams)
      fail(fmt::format("gradient {} of no parameter", out));
    const int64_t count = bytesOf(fn.params[p]) / 4;
    const auto *values = reinterpret_cast<const float *>(params[p].data());
    names.push_back(name);
    host.emplace_back(values, values + count);
    device.emplace_back(values, values + count);
    m.emplace_back(count, 0.0f);
    v.emplace_back(count, 0.0f);
    grads.push_back(
        reinterpret_cast<const float *>(arena + fn.outputs[o].arenaOffset));
    counts.push_back(count);
  }
  const size_t n = names.size();
  clip::train::AdamWConfig config;
  const double lr = 1e-3,
               maxNorm = 0.5 * clip::train::globalNorm(grads, counts);
  std::vector<clip::train::AdamW::Param> hostParams;
  for (size_t t = 0; t < n; ++t) {
    int32_t rank = 0;
    for (int32_t p = 0; p < fn.numParams; ++p)
      if (names[t] == fn.params[p].name)
        rank = fn.params[p].rank;
    hostParams.push_back({names[t], host[t].data(), counts[t],
                          clip::train::decays(names[t], rank)});
  }
  // Host: TrainStep's clipping, then AdamW.
  std::vector<std::vector<float>> clipped(n);
  std::vector<const float *> clippedPtrs(n);
  const float factor =
      static_cast<float>(maxNorm / clip::train::globalNorm(grads, counts));
  for (size_t t = 0; t < n; ++t) {
    clipped[t].assign(grads[t], grads[t] + counts[t]);
    for (float &g : clipped[t])
      g *= factor;
    clippedPtrs[t] = clipped[t].data();
  }
  clip::train::AdamW(hostParams, config).step(clippedPtrs, lr);

  // Device: chunks, tables, the unit's kernels.
  std::vector<long long> tensor, begin, end;
  for (size_t t = 0; t < n; ++t)
    for (int64_t b = 0; b < counts[t]; b += clip::cuda::kOptimizerChunk) {
      tensor.push_back(t);
      begin.push_back(b);
      end.push_back(
          std::min<int64_t>(b + clip::cuda::kOptimizerChunk, counts[t]));
    }
  const clip::cuda::TensorChunks chunks{static_cast<long long>(tensor.size()),
                                        tensor.data(), begin.data(),
                                        end.data()};
  std::vector<float *> x(n), mp(n), vp(n);
  std::vector<clip::scalar::AdamWStep> steps;
  for (size_t t = 0; t < n; ++t) {
    x[t] = device[t].data();
    mp[t] = m[t].data();
    vp[t] = v[t].data();
    steps.push_back(
        clip::train::adamwConstants(config, 1, lr, hostParams[t].decay));
  }
  std::vector<double> partial(chunks.count), norm(2);
  long long clamp = -1;
  for (size_t t = 0; t < n; ++t)
    if (names[t] == "logit_scale")
      clamp = static_cast<long long>(t);
  update(static_cast<unsigned>(std::min<long long>(chunks.count, 64)),
         block ? block : 256, chunks, x.data(), grads.data(), mp.data(),
         vp.data(), steps.data(), partial.data(), maxNorm, norm.data(), clamp,
         std::log(100.0f));
  if (clamp >= 0) // TrainStep clamps after the host update
    host[clamp][0] = std::clamp(host[clamp][0], 0.0f, std::log(100.0f));
  size_t differ = 0;
  for (size_t t = 0; t < n; ++t)
    differ += std::memcmp(host[t].data(), device[t].data(),
                          host[t].size() * sizeof(float)) != 0;
  if (differ)
    fail(fmt::format("update: {} of {} parameters differ from the host "
                     "AdamW's",
                     differ, n));
  fmt::print("update: {} parameters, {} chunks, AdamW with clipping (norm "
             "{:.6g}, factor {:.6g}) bit-identical to the host's\n",
             n, chunks.count, norm[0], norm[1]);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 6 && argc != 7)
    fail("usage: clip-cuda-emulate LIB FUNCTION PARAMS INPUTS OUT [BLOCK]");
  const int blockOverride = argc == 7 ? std::atoi(argv[6]) : 0;
  if (argc == 7 && (blockOverride < 1 || blockOverride > 256))
    fail(fmt::format("BLOCK must be in [1, 256], not `{}`", argv[6]));
  try {
    Library library(argv[1]);
    const ClipFunctionDesc &fn = library.function(argv[2]);
    if (!fn.cudaSource)
      fail(fmt::format("@{} has no CUDA target (clipc --target all)", fn.name));
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() /
        fmt::format("clip-cuda-emulate-{}", ::getpid());
    std::filesystem::create_directories(dir);
    const auto start = std::chrono::steady_clock::now();
    void *unit = compileUnit(fn, dir);
    const double compiled =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    auto launcher = reinterpret_cast<Launcher>(dlsym(unit, "clip_emulate"));
    auto errorsOf =
        reinterpret_cast<long long *(*)()>(dlsym(unit, "clip_emulate_errors"));
    if (!launcher || !errorsOf)
      fail("the emulated unit lacks clip_emulate or clip_emulate_errors");
    long long *errors = errorsOf();

    // Parameters and inputs from the files, by name.
    auto bind = [&](const char *path, const ClipTensorDesc *descs,
                    int32_t count) {
      io::SafetensorsFile file = io::SafetensorsFile::read(path);
      std::vector<std::vector<char>> buffers;
      for (int32_t i = 0; i < count; ++i) {
        const io::TensorView *view = file.find(descs[i].name);
        if (!view || static_cast<int64_t>(view->byteSize) != bytesOf(descs[i]))
          fail(fmt::format("{}: no tensor `{}` of {} bytes", path,
                           descs[i].name, bytesOf(descs[i])));
        const auto *data = reinterpret_cast<const char *>(view->data);
        buffers.emplace_back(data, data + view->byteSize);
      }
      return buffers;
    };
    std::vector<std::vector<char>> params =
        bind(argv[3], fn.params, fn.numParams);
    std::vector<std::vector<char>> inputs =
        bind(argv[4], fn.inputs, fn.numInputs);
    std::vector<void *> P, I;
    for (auto &p : params)
      P.push_back(p.data());
    for (auto &p : inputs)
      I.push_back(p.data());
    // Poisoned (NaN) so that a kernel reading what nothing wrote shows.
    const int64_t arenaBytes = std::max(fn.arenaBytes, fn.cudaArenaBytes);
    std::vector<float> arenaStorage((arenaBytes + 3) / 4,
                                    std::numeric_limits<float>::quiet_NaN());
    char *A = reinterpret_cast<char *>(arenaStorage.data());
    auto address = [&](const ClipBufferRef &r) -> char * {
      switch (r.space) {
      case CLIP_SPACE_ARENA:
        return A + r.byteOffset;
      case CLIP_SPACE_PARAM:
        return static_cast<char *>(P[r.index]) + r.byteOffset;
      case CLIP_SPACE_INPUT:
        return static_cast<char *>(I[r.index]) + r.byteOffset;
      default:
        return nullptr;
      }
    };

    int kernels = 0, gemms = 0;
    for (int32_t s = 0; s < fn.numCudaSteps; ++s) {
      const ClipCudaStep &step = fn.cudaSteps[s];
      if (step.kind == CLIP_CUDA_KERNEL) {
        auto kernel = reinterpret_cast<Kernel>(dlsym(unit, step.kernel));
        if (!kernel)
          fail(fmt::format("no kernel {} in the unit", step.kernel));
        launcher(
            kernel, static_cast<unsigned>(step.grid),
            static_cast<unsigned>(blockOverride ? blockOverride : step.block),
            A, P.data(), I.data());
        ++kernels;
        if (step.errorSlot >= 0 && errors[3 * step.errorSlot] != 0)
          fail(fmt::format("{}: index {} at position {} is outside [0, {})",
                           step.launch, errors[3 * step.errorSlot + 2],
                           errors[3 * step.errorSlot + 1], step.errorBound));
        continue;
      }
      const ClipCudaGemm &g = step.gemm;
      const char *a = address(g.a), *b = address(g.b);
      const char *bias = address(g.bias), *residual = address(g.residual);
      char *c = address(g.c);
      for (int64_t e = 0; e < g.batch; ++e)
        for (int64_t i = 0; i < g.m; ++i)
          for (int64_t j = 0; j < g.n; ++j) {
            double sum = 0;
            for (int64_t k = 0; k < g.k; ++k) {
              const int64_t ia =
                  e * g.strideA + (g.transposeA ? k * g.m + i : i * g.k + k);
              const int64_t ib =
                  e * g.strideB + (g.transposeB ? j * g.k + k : k * g.n + j);
              sum += double(load(a, g.typeA, ia)) * load(b, g.typeB, ib);
            }
            const int64_t ic = e * g.strideC + i * g.n + j;
            if (bias)
              sum += reinterpret_cast<const float *>(bias)[j];
            if (residual)
              sum += load(residual, g.typeC, ic);
            store(c, g.typeC, ic, sum);
          }
      ++gemms;
    }
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();

    io::SafetensorsWriter writer;
    for (int32_t i = 0; i < fn.numOutputs; ++i) {
      const ClipTensorDesc &t = fn.outputs[i];
      const char *bytes = A + t.arenaOffset;
      writer.add(t.name,
                 t.dtype == CLIP_I64    ? io::DType::I64
                 : t.dtype == CLIP_BOOL ? io::DType::Bool
                                        : io::DType::F32,
                 std::vector<int64_t>(t.shape, t.shape + t.rank),
                 std::vector<uint8_t>(bytes, bytes + bytesOf(t)));
    }
    writer.write(argv[5]);
    if (auto update =
            reinterpret_cast<Update>(dlsym(unit, "clip_emulate_update")))
      checkUpdate(fn, update, A, params, blockOverride);
    std::filesystem::remove_all(dir);
    fmt::print("@{}: {} kernels + {} GEMMs emulated (unit compiled in {:.1f} "
               "s, run {:.1f} s), {} outputs\n",
               fn.name, kernels, gemms, compiled, total - compiled,
               fn.numOutputs);
  } catch (const std::exception &e) {
    fail(e.what());
  }
  return 0;
}
