//===- CudaEmitter.h - CUDA C++ and launch steps of a kernel function -----===//
//
// The CUDA target. For one planned kernel function it writes one CUDA C++
// translation unit (the device library, then one `__global__` per kernel or
// kernel phase whose body calls it with constant shapes and pointers into
// the arena, parameters and inputs) and the steps that run the function in
// schedule order: launches of those kernels, and cuBLASLt GEMMs. NVRTC
// compiles the source at run time (clipc also compiles it once, to check).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_CODEGEN_CUDAEMITTER_H
#define CLIP_COMPILER_CODEGEN_CUDAEMITTER_H

#include "compiler/Target/Common/KernelArguments.h"
#include "runtime/kernels/KernelAbi.h"

#include <string>
#include <vector>

namespace mlir::clip::codegen {

/// Threads per block of every generated kernel (the device library's
/// reductions use fixed shared arrays of this size).
constexpr int kCudaBlock = ::clip::kernels::kCudaBlock;

struct CudaGemm {
  GemmShape shape;
  bool transposeA = false, transposeB = false;
  BufferRef a, b, c, bias, residual;
  int32_t typeA = 0, typeB = 0, typeC = 0; ///< ClipDType of the storage
};

/// A float buffer a launch writes (ClipCudaWrite).
struct CudaWrite {
  BufferRef buffer;
  int64_t elements = 0;
  int32_t dtype = 0; ///< CLIP_F32 or CLIP_BF16
};

struct CudaStep {
  enum Kind { Kernel = 0, Gemm = 1 } kind = Kernel;
  std::string launch; ///< the kernel.launch it implements
  std::string kernel; ///< Kernel: the __global__ function
  int64_t grid = 1;
  int block = kCudaBlock;
  int errorSlot = -1;
  int64_t errorBound = 0;
  CudaGemm gemm;
  int sharedBytes = 0; ///< dynamic shared memory (none of today's kernels)
  /// On a launch's last step: launchOrigin and the buffers the numerics
  /// check reads (CLIP_RUN_CHECK_NUMERICS).
  std::string check;
  std::vector<CudaWrite> writes;
};

struct CudaFunction {
  std::string source;
  std::vector<CudaStep> steps;
  int errorSlots = 0;
  /// The function's arena plus the f32 staging of bf16 buffers past it.
  int64_t arenaBytes = 0;
  /// The compiled source for `arch`, when the caller compiled it (clipc
  /// does, with NVRTC, to check it): stored in the clip.so.
  std::string arch;
  std::vector<char> cubin;
};

/// The text every generated unit starts with: runtime/kernels/ScalarMath.h,
/// runtime/kernels/KernelAbi.h and the device library's family files
/// (runtime/cuda/DeviceLibrary.cmake lists them), embedded at build time.
const char *cudaDeviceLibrary();

/// The CUDA source and steps of `func` (planned: every buffer has an
/// offset). Fails with an error at the first op the target cannot run.
FailureOr<CudaFunction> emitCudaFunction(func::FuncOp func,
                                         const BufferNames &names);

} // namespace mlir::clip::codegen

#endif // CLIP_COMPILER_CODEGEN_CUDAEMITTER_H
