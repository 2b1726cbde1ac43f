//===- LibraryEmitter.h - C++ source of a clip.so ---------------*- C++ -*-===//
//
// Writes one C++ translation unit for a module of planned kernel functions:
// per function, a CPU entry point that runs its launches in order (calls
// into the CPU kernel library with static shapes and arena offsets, and
// generated loops for elementwise kernels), its constants, the CUDA target's
// source and steps (CudaEmitter.h), and the descriptor tables of the clip.so
// ABI (runtime/abi/ClipLibrary.h).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_CODEGEN_LIBRARYEMITTER_H
#define CLIP_COMPILER_CODEGEN_LIBRARYEMITTER_H

#include "compiler/Target/Cuda/CudaEmitter.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>

namespace mlir::clip::codegen {

struct LibraryInfo {
  std::string model;
  std::string remat = "none";
  std::string precision = "fp32";
  int64_t batchSize = 0;
  bool cpu = true;
  bool cuda = false;
  /// Called with every function's CUDA unit before it is embedded (clipc
  /// compiles it with NVRTC there, and may set its cubin); a failure stops
  /// the emission.
  std::function<LogicalResult(func::FuncOp, CudaFunction &)> checkCuda;
};

LogicalResult emitLibrarySource(ModuleOp module, const LibraryInfo &info,
                                llvm::raw_ostream &os);

} // namespace mlir::clip::codegen

#endif // CLIP_COMPILER_CODEGEN_LIBRARYEMITTER_H
