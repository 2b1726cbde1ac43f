//===- CpuEmitter.h - C++ entry point of a kernel function ------*- C++ -*-===//
//
// The CPU target: each launch of a planned kernel function becomes calls
// into runtime/cpu's kernel library (its KernelCall's host calls, with
// shapes and arena offsets as constants), a cpu::gemm, or a generated
// OpenMP loop for elementwise kernels.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_TARGET_CPU_CPUEMITTER_H
#define CLIP_COMPILER_TARGET_CPU_CPUEMITTER_H

#include "compiler/Target/Common/KernelArguments.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::clip::codegen {

/// Writes `func`'s constants and its entry point `run_<name>(arena, P, I,
/// options, error, errorSize)`; with CLIP_RUN_CHECK_NUMERICS in `options`
/// every launch's float outputs are checked for NaN and Inf. Fails with an
/// error at the first op the CPU library cannot run.
LogicalResult emitCpuFunction(func::FuncOp func, const BufferNames &names,
                              llvm::raw_ostream &os);

} // namespace mlir::clip::codegen

#endif // CLIP_COMPILER_TARGET_CPU_CPUEMITTER_H
