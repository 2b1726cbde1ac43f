//===- Passes.h - Passes over the clip dialect ------------------*- C++ -*-===//
#ifndef CLIP_COMPILER_TRANSFORMS_PASSES_H
#define CLIP_COMPILER_TRANSFORMS_PASSES_H

#include "clip/IR/ClipDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::clip {

#define GEN_PASS_DECL
#include "compiler/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Transforms/Passes.h.inc"

} // namespace mlir::clip

#endif // CLIP_COMPILER_TRANSFORMS_PASSES_H
