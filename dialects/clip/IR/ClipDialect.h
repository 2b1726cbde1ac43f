//===- ClipDialect.h - The clip dialect -------------------------*- C++ -*-===//
#ifndef CLIP_IR_CLIPDIALECT_H
#define CLIP_IR_CLIPDIALECT_H

#include "mlir/IR/Dialect.h"

#include "clip/IR/ClipDialect.h.inc"

#endif // CLIP_IR_CLIPDIALECT_H
