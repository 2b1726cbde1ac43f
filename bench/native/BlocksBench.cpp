//===- BlocksBench.cpp - Issue 17's three blocks on the GPU ---------------===//
//
// Times the device library's tensor-core blocks at the shapes of
// ../shared/bench/torch_blocks_baseline.py, bf16, on the GPU the CUDA
// driver gives (or the host emulator: CLIPC_CUDA_DRIVER): attention forward
// and forward + backward at (256 x 12, 197, 64); add + LayerNorm forward on
// 50432 x 768 (GB/s counted as PyTorch's baseline does: 3 tensors of bf16);
// the contrastive loss forward + backward at batch 65,536, d 512, with its
// device scratch (the memory beyond the embeddings). One JSON line.
// The kernels are the library's own functions, compiled the way clipc's
// units are (NVRTC for the device's sm_XY, or the emulator from source).
// Usage: clip-bench-blocks [--smoke]   (--smoke: tiny shapes, one run each,
// for the emulated driver: test/CMakeLists.txt runs it so)
//
//===----------------------------------------------------------------------===//
#include "runtime/gpu/CudaApi.h"
#include "runtime/gpu/Nvrtc.h"
#include "runtime/kernels/KernelAbi.h"
#include "runtime/kernels/ScalarMath.h"

#include <fmt/core.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <random>
#include <string>
#include <vector>

namespace {

const char kLibrary[] =
#include "CudaDeviceLibrary.inc"
    ;

struct Shapes {
  long long heads, tokens; // attention: batch x heads, sequence
  long long rows, width;   // LayerNorm
  long long pairs, dim;    // contrastive loss
  int attentionRuns, normRuns, lossRuns;
};

/// Byte offsets in one device arena, 256-aligned.
struct Arena {
  long long bytes = 0;
  long long add(long long size) {
    const long long at = bytes;
    bytes += (size + 255) / 256 * 256;
    return at;
  }
};

long long ceilDiv(long long a, long long b) { return (a + b - 1) / b; }

} // namespace

int main(int argc, char **argv) try {
  const bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  const Shapes s =
      smoke ? Shapes{2, 70, 16, 768, 70, 32, 1, 1, 1}
            : Shapes{256 * 12, 197, 256 * 197, 768, 65536, 512, 20, 50, 3};
  constexpr int kHead = 64;
  clip::gpu::CudaDriver d;
  CUdevice device;
  CUcontext context;
  d.check(d.cuDeviceGet(&device, 0), "opening the GPU");
  d.check(d.cuDevicePrimaryCtxRetain(&context, device), "retaining a context");
  d.check(d.cuCtxSetCurrent(context), "selecting the context");
  char name[256] = {};
  d.check(d.cuDeviceGetName(name, sizeof name, device), "naming the GPU");

  // The arena: attention, LayerNorm, loss buffers and the loss's scratch.
  Arena a;
  const long long qkv = s.heads * s.tokens * kHead * 2;
  const long long q = a.add(qkv), k = a.add(qkv), v = a.add(qkv),
                  out = a.add(qkv), dout = a.add(qkv), dq = a.add(qkv),
                  dk = a.add(qkv), dv = a.add(qkv),
                  lse = a.add(s.heads * s.tokens * 4);
  const long long normElems = s.rows * s.width;
  const long long x = a.add(normElems * 2), res = a.add(normElems * 2),
                  stream = a.add(normElems * 2), y = a.add(normElems * 2),
                  gamma = a.add(s.width * 4), beta = a.add(s.width * 4),
                  mean = a.add(s.rows * 4), rstd = a.add(s.rows * 4);
  const long long emb = s.pairs * s.dim;
  const long long image = a.add(emb * 2), text = a.add(emb * 2),
                  imageNorm = a.add(s.pairs * 4), textNorm = a.add(s.pairs * 4),
                  imageLse = a.add(s.pairs * 4), textLse = a.add(s.pairs * 4),
                  loss = a.add(4), scale = a.add(4), one = a.add(4),
                  dscale = a.add(4), dimage = a.add(emb * 4),
                  dtext = a.add(emb * 4);
  const long long scratch0 = a.bytes;
  const long long unitImage = a.add(emb * 2), unitText = a.add(emb * 2),
                  imageSums = a.add(emb * 4), textSums = a.add(emb * 4),
                  partial = a.add(s.pairs * 8);
  const long long scratchBytes = a.bytes - scratch0;

  CUdeviceptr arena;
  d.check(d.cuMemAlloc(&arena, static_cast<size_t>(a.bytes)),
          fmt::format("allocating {} MiB", a.bytes >> 20));
  {
    // Random bf16 everywhere (the f32 scalars and parameters set below).
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    std::vector<clip::bf16> host(static_cast<size_t>(a.bytes / 2));
    for (auto &h : host)
      h = clip::bf16(0.5f * normal(rng));
    d.check(d.cuMemcpyHtoD(arena, host.data(), host.size() * 2), "filling");
    const std::vector<float> ones(static_cast<size_t>(s.width), 1.0f),
        zeros(static_cast<size_t>(s.width), 0.0f);
    const float logScale = std::log(1.0f / 0.07f), unit = 1.0f;
    d.check(d.cuMemcpyHtoD(arena + gamma, ones.data(), s.width * 4), "gamma");
    d.check(d.cuMemcpyHtoD(arena + beta, zeros.data(), s.width * 4), "beta");
    d.check(d.cuMemcpyHtoD(arena + scale, &logScale, 4), "scale");
    d.check(d.cuMemcpyHtoD(arena + one, &unit, 4), "grad");
  }

  const float softmaxScale = 0.125f;
  auto b16 = [](long long at) {
    return fmt::format("reinterpret_cast<clip::bf16*>(A + {})", at);
  };
  auto f32 = [](long long at) {
    return fmt::format("reinterpret_cast<float*>(A + {})", at);
  };
  auto kernel = [](const std::string &name, const std::string &body) {
    return fmt::format("extern \"C\" __global__ void {}(char *A, void *const "
                       "*P, void *const *I) {{\n  {};\n}}\n",
                       name, body);
  };
  const std::string flash = fmt::format("{}, {}, {}, {}f, false", s.heads,
                                        s.tokens, s.tokens, softmaxScale);
  const std::string lossHead = fmt::format("{}, {}", s.pairs, s.dim);
  const std::string units =
      fmt::format("{}, {}", b16(unitImage), b16(unitText));
  std::string source = "typedef long long int64_t;\n";
  source += kLibrary;
  source += kernel("attention_forward",
                   fmt::format("clip::cuda::flashAttentionForward<{}>({}, {}, "
                               "{}, {}, {}, {})",
                               kHead, flash, b16(q), b16(k), b16(v), b16(out),
                               f32(lse)));
  const std::string gradArgs =
      fmt::format("{}, {}, {}, {}, {}, {}, {}", flash, b16(dout), b16(q),
                  b16(k), b16(v), b16(out), f32(lse));
  source +=
      kernel("attention_grad_query",
             fmt::format("clip::cuda::flashAttentionGradQuery<{}>({}, {})",
                         kHead, gradArgs, b16(dq)));
  source += kernel(
      "attention_grad_key_value",
      fmt::format("clip::cuda::flashAttentionGradKeyValue<{}>({}, {}, {})",
                  kHead, gradArgs, b16(dk), b16(dv)));
  source += kernel(
      "add_layer_norm",
      fmt::format("clip::cuda::layerNormForwardBf16<{}>({}, {}, {}, {}, {}, "
                  "{}, {}, 1e-5f, {}, {}, {})",
                  ceilDiv(s.width, 256), s.rows, s.width, b16(x), b16(res),
                  b16(stream), f32(gamma), f32(beta), b16(y), f32(mean),
                  f32(rstd)));
  source += kernel("loss_units",
                   fmt::format("clip::cuda::contrastiveLossUnits({}, {}, {}, "
                               "1e-12f, {}, {}, {})",
                               lossHead, b16(image), b16(text), f32(imageNorm),
                               f32(textNorm), units));
  source += kernel("loss_lse",
                   fmt::format("clip::cuda::contrastiveLossTileLse({}, {}, {}, "
                               "{}, {})",
                               lossHead, units, f32(scale), f32(imageLse),
                               f32(textLse)));
  source += kernel("loss_total",
                   fmt::format("clip::cuda::contrastiveLossTileTotal({}, {}, "
                               "{}, {}, {}, {})",
                               lossHead, units, f32(scale), f32(imageLse),
                               f32(textLse), f32(loss)));
  source += kernel(
      "loss_grad_units",
      fmt::format("clip::cuda::contrastiveLossGradUnits({}, {}, {}, {}, {}, "
                  "{})",
                  lossHead, b16(image), b16(text), f32(imageNorm),
                  f32(textNorm), units));
  source += kernel(
      "loss_grad_tiles",
      fmt::format("clip::cuda::contrastiveLossTileGrad({}, {}, {}, {}, {}, "
                  "{}, {}, {}, reinterpret_cast<double*>(A + {}))",
                  lossHead, f32(one), units, f32(scale), f32(imageLse),
                  f32(textLse), f32(imageSums), f32(textSums), partial));
  source += kernel(
      "loss_grad_finish",
      fmt::format("clip::cuda::contrastiveLossGradFinish<float>({}, {}, {}, "
                  "{}, {}, {}, 1e-12f, {}, {}, "
                  "reinterpret_cast<double*>(A + {}), {}, {}, {})",
                  lossHead, b16(image), b16(text), f32(scale), f32(imageNorm),
                  f32(textNorm), f32(imageSums), f32(textSums), partial,
                  f32(dimage), f32(dtext), f32(dscale)));

  CUmodule module;
  if (d.clipEmulatorLoadSource) {
    d.check(d.clipEmulatorLoadSource(&module, source.c_str(), "blocks"),
            "loading the blocks into the emulator");
  } else {
    int major = 0, minor = 0;
    d.check(d.cuDeviceGetAttribute(
                &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
            "reading the compute capability");
    d.check(d.cuDeviceGetAttribute(
                &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
            "reading the compute capability");
    clip::gpu::Nvrtc nvrtc;
    const std::string arch = fmt::format("sm_{}{}", major, minor);
    clip::gpu::Nvrtc::Output compiled =
        nvrtc.compile(source, "blocks.cu", arch);
    if (!compiled.ok)
      throw std::runtime_error("NVRTC failed on the blocks:\n" + compiled.log);
    d.check(d.cuModuleLoadData(&module, compiled.cubin.data()),
            "loading the blocks");
  }

  void *argsA = reinterpret_cast<void *>(arena);
  void *none = nullptr;
  void *params[] = {&argsA, &none, &none};
  auto launch = [&](const char *fn, long long grid, int block) {
    CUfunction f;
    d.check(d.cuModuleGetFunction(&f, module, fn), fn);
    d.check(d.cuLaunchKernel(f,
                             static_cast<unsigned>(std::min(grid, 1LL << 30)),
                             1, 1, static_cast<unsigned>(block), 1, 1, 0,
                             nullptr, params, nullptr),
            fmt::format("launching {}", fn));
  };
  // Milliseconds per run of `body` (after a warm-up run, but for --smoke).
  auto time = [&](int runs, auto body) {
    if (!smoke)
      body();
    d.check(d.cuCtxSynchronize(), "warming up");
    CUevent start, stop;
    d.check(d.cuEventCreate(&start, 0), "event");
    d.check(d.cuEventCreate(&stop, 0), "event");
    d.check(d.cuEventRecord(start, nullptr), "event");
    for (int r = 0; r < runs; ++r)
      body();
    d.check(d.cuEventRecord(stop, nullptr), "event");
    d.check(d.cuEventSynchronize(stop), "running the blocks");
    float ms = 0;
    d.check(d.cuEventElapsedTime(&ms, start, stop), "timing");
    d.cuEventDestroy(start);
    d.cuEventDestroy(stop);
    return ms / static_cast<float>(runs);
  };

  using clip::kernels::kCudaBlock;
  using clip::kernels::kFlashRows;
  using clip::kernels::kFlashThreads;
  using clip::kernels::kRowThreads;
  const long long tiles = s.heads * ceilDiv(s.tokens, kFlashRows);
  auto forward = [&] { launch("attention_forward", tiles, kFlashThreads); };
  auto backward = [&] {
    launch("attention_grad_query", tiles, kFlashThreads);
    launch("attention_grad_key_value", tiles, kFlashThreads);
  };
  const float attnFwd = time(s.attentionRuns, forward);
  const float attnBoth = time(s.attentionRuns, [&] {
    forward();
    backward();
  });
  const float norm = time(s.normRuns, [&] {
    launch("add_layer_norm", ceilDiv(s.rows, kRowThreads / 32), kRowThreads);
  });
  const long long lossTiles = 2 * ceilDiv(s.pairs, kFlashRows);
  const float lossBoth = time(s.lossRuns, [&] {
    launch("loss_units", 2 * s.pairs, kCudaBlock);
    launch("loss_lse", lossTiles, kFlashThreads);
    launch("loss_total", 1, kCudaBlock);
    launch("loss_grad_units", 2 * s.pairs, kCudaBlock);
    launch("loss_grad_tiles", lossTiles, kFlashThreads);
    launch("loss_grad_finish", 2 * s.pairs + 1, kCudaBlock);
  });
  float lossValue = NAN, scaleGrad = NAN;
  d.check(d.cuMemcpyDtoH(&lossValue, arena + loss, 4), "reading the loss");
  d.check(d.cuMemcpyDtoH(&scaleGrad, arena + dscale, 4), "reading dscale");
  const double flops = 4.0 * s.heads * s.tokens * s.tokens * kHead;
  const double normBytes = 3.0 * normElems * 2;
  fmt::print(
      "{{\"device\": \"{}\", \"attention\": [{}, {}, {}], "
      "\"attention_fwd_ms\": {:.3f}, \"attention_fwd_tflops\": {:.1f}, "
      "\"attention_fwdbwd_ms\": {:.3f}, \"attention_fwdbwd_tflops\": {:.1f}, "
      "\"ln_residual_rows\": {}, \"ln_residual_ms\": {:.3f}, "
      "\"ln_residual_GBps\": {:.0f}, \"loss_batch\": {}, \"loss_dim\": {}, "
      "\"loss_fwdbwd_ms\": {:.2f}, \"loss_scratch_mib\": {:.0f}, \"loss\": "
      "{:.5f}, \"dlogit_scale\": {:.5f}}}\n",
      name, s.heads, s.tokens, kHead, attnFwd, flops / attnFwd / 1e9, attnBoth,
      3.5 * flops / attnBoth / 1e9, s.rows, norm, normBytes / norm / 1e6,
      s.pairs, s.dim, lossBoth, scratchBytes / double(1 << 20), lossValue,
      scaleGrad);
  d.cuMemFree(arena);
  d.cuModuleUnload(module);
  d.cuDevicePrimaryCtxRelease(device);
  return std::isfinite(lossValue) && std::isfinite(scaleGrad) ? 0 : 1;
} catch (const std::exception &e) {
  fmt::print(stderr, "clip-bench-blocks: {}\n", e.what());
  return 1;
}
