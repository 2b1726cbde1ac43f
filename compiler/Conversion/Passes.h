//===- Passes.h - Conversions between the compiler's dialects ---*- C++ -*-===//
#ifndef CLIP_COMPILER_CONVERSION_PASSES_H
#define CLIP_COMPILER_CONVERSION_PASSES_H

#include "clip/IR/ClipDialect.h"
#include "kernel/IR/KernelOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::clip {

#define GEN_PASS_DECL
#include "compiler/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Conversion/Passes.h.inc"

} // namespace mlir::clip

#endif // CLIP_COMPILER_CONVERSION_PASSES_H
