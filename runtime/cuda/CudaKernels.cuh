//===- CudaKernels.cuh - The whole CUDA device library --------------------===//
//
// Includes the device library's family files in order (Common.cuh has the
// library's rules; docs/cuda-kernels.md lists the functions), for host C++:
// the tests, under runtime/cuda/HostEmulation.h, which comes first.
// Generated CUDA units do not include it: clipc embeds the text of the
// files themselves, concatenated in the order of DeviceLibrary.cmake (the
// same as here: test/unit/cuda/NvrtcTest.cpp checks it).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_CUDAKERNELS_CUH
#define CLIP_RUNTIME_CUDA_CUDAKERNELS_CUH

// The order matters (Common.cuh first): keep it, not sorted.
// clang-format off
#include "runtime/cuda/Common.cuh"
#include "runtime/cuda/Warp.cuh"
#include "runtime/cuda/Gemm.cuh"
#include "runtime/cuda/LayerNorm.cuh"
#include "runtime/cuda/LayerNormBf16.cuh"
#include "runtime/cuda/Attention.cuh"
#include "runtime/cuda/FlashAttention.cuh"
#include "runtime/cuda/ContrastiveLoss.cuh"
#include "runtime/cuda/TiledContrastiveLoss.cuh"
#include "runtime/cuda/SigmoidLoss.cuh"
#include "runtime/cuda/Convolution.cuh"
#include "runtime/cuda/BatchNorm.cuh"
#include "runtime/cuda/DataMovement.cuh"
#include "runtime/cuda/Reduction.cuh"
#include "runtime/cuda/Gather.cuh"
#include "runtime/cuda/Optimizer.cuh"
// clang-format on

#endif // CLIP_RUNTIME_CUDA_CUDAKERNELS_CUH
