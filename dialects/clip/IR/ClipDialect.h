//===- ClipDialect.h - The clip dialect -------------------------*- C++ -*-===//
#ifndef CLIP_IR_CLIPDIALECT_H
#define CLIP_IR_CLIPDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include "clip/IR/ClipDialect.h.inc"

#include <string>

namespace mlir::clip {
/// The name a function's result `index` goes by outside the compiler (a
/// clip.so output, a clip-ref tensor): "grad/<param>" for a result marked
/// clip.gradient, "update/<param>" for clip.running_update (prefixes from
/// the runtime's ABI header), the name given by clip.output, else
/// "result<index>".
std::string resultOutputName(FunctionOpInterface func, unsigned index);
} // namespace mlir::clip

#endif // CLIP_IR_CLIPDIALECT_H
