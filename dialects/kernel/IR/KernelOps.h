//===- KernelOps.h - The kernel dialect -------------------------*- C++ -*-===//
#ifndef CLIP_DIALECTS_KERNEL_IR_KERNELOPS_H
#define CLIP_DIALECTS_KERNEL_IR_KERNELOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "kernel/IR/KernelDialect.h.inc"

#define GET_OP_CLASSES
#include "kernel/IR/KernelOps.h.inc"

namespace mlir::kernel {

/// The tensor a buffer holds, as a launch body sees it.
RankedTensorType tensorTypeOf(MemRefType buffer);
/// Bytes of a static buffer (i1 counts one byte).
int64_t byteSize(MemRefType buffer);
/// The alloc, param, input or constant a buffer comes from, through views.
Value rootBuffer(Value buffer);

} // namespace mlir::kernel

#endif // CLIP_DIALECTS_KERNEL_IR_KERNELOPS_H
