//===- KernelAbi.h - What clipc and the kernel libraries agree on ---------===//
//
// The contracts between the compiler and the runtime's kernel libraries,
// each defined once here:
//  - the CUDA launch geometry clipc emits and the device library assumes
//    (block size, layerNormGradParams' unit);
//  - the convolution and pooling geometry that generated code passes by
//    value (`clip::cpu::Conv2DShape{...}`, `clip::cuda::Conv2DShape{...}`:
//    both names are aliases of the structs below).
//
// Compiled as C++ (the CPU library, clipc, generated CPU code, the tests)
// and by NVRTC: it is part of the device library text every generated CUDA
// unit embeds, after ScalarMath.h (runtime/cuda/DeviceLibrary.cmake). So it
// includes nothing under NVRTC, which has no <cstdint>, and does not rely on
// the generated unit's `typedef long long int64_t;` either (the tests'
// NVRTC check compiles the library without it).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_KERNELS_KERNELABI_H
#define CLIP_RUNTIME_KERNELS_KERNELABI_H

#ifndef __CUDACC_RTC__
#include <cstdint>
#endif

namespace clip::kernels {

/// The integer type of shape fields: int64_t as the CPU library's
/// signatures; under NVRTC long long (the same 64 bits, and what generated
/// CUDA code spells int64_t).
#ifdef __CUDACC_RTC__
using Index = long long;
#else
using Index = std::int64_t;
#endif

/// Threads per block of every CUDA kernel clipc launches, and the largest
/// block the device library supports: its block reductions use __shared__
/// arrays of this many elements (clip::cuda::kBlock).
constexpr int kCudaBlock = 256;

/// Adjacent columns per unit (block) of clip::cuda::layerNormGradParams:
/// clipc launches ceil(cols / kParamColumns) blocks.
constexpr int kParamColumns = 4;

/// The tensor-core attention (clip::cuda::flashAttention*): threads per
/// block (four warps, each owning 16 rows of a tile) and rows per tile of
/// queries or keys; clipc launches ceil(length / kFlashRows) blocks per
/// batch entry with kFlashThreads threads.
[[maybe_unused]] constexpr int kFlashThreads = 128;
[[maybe_unused]] constexpr int kFlashRows = 64;

/// runtime/cuda/LayerNormBf16.cuh: a warp a row, blocks of kRowThreads
/// (clipc launches ceil(rows / (kRowThreads / 32)) of them), and the
/// parameter gradients' first stage sums kParamRows rows a block.
[[maybe_unused]] constexpr int kRowThreads = 128;
[[maybe_unused]] constexpr int kParamRows = 64;

/// NCHW convolution geometry (weight [outChannels, channels/groups, kh, kw]).
/// Generated code builds it by aggregate initialization in this field order
/// (compiler/Target/Common/KernelArguments.cpp): do not reorder.
struct Conv2DShape {
  Index n = 0, channels = 0, height = 0, width = 0;
  Index outChannels = 0, kernelH = 0, kernelW = 0;
  Index outHeight = 0, outWidth = 0;
  Index strideH = 1, strideW = 1, padH = 0, padW = 0;
  Index dilationH = 1, dilationW = 1, groups = 1;
};

/// Average pooling over `planes` (= N * C) planes, padded zeros counted.
/// Built in field order by generated code, as Conv2DShape.
struct Pool2DShape {
  Index planes = 0, height = 0, width = 0, outHeight = 0, outWidth = 0;
  Index kernelH = 1, kernelW = 1, strideH = 1, strideW = 1, padH = 0, padW = 0;
};

} // namespace clip::kernels

#endif // CLIP_RUNTIME_KERNELS_KERNELABI_H
