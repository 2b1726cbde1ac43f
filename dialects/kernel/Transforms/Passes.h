//===- Passes.h - From the clip graph to a planned kernel schedule --------===//
#ifndef CLIP_COMPILER_KERNEL_PASSES_H
#define CLIP_COMPILER_KERNEL_PASSES_H

#include "clip/IR/ClipDialect.h"
#include "kernel/IR/KernelOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::kernel {

#define GEN_PASS_DECL
#include "kernel/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kernel/Transforms/Passes.h.inc"

} // namespace mlir::kernel

#endif // CLIP_COMPILER_KERNEL_PASSES_H
