//===- ClipOps.h - Operations of the clip dialect ---------------*- C++ -*-===//
#ifndef CLIP_IR_CLIPOPS_H
#define CLIP_IR_CLIPOPS_H

#include "clip/IR/ClipDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "clip/IR/ClipEnums.h.inc"
#include "clip/IR/ClipInterfaces.h.inc"

namespace mlir::clip {

/// Ops whose operands broadcast elementwise against each other (NumPy rules).
/// Fusion and the broadcast canonicalization look for this trait.
template <typename ConcreteType>
class BroadcastingElementwise
    : public OpTrait::TraitBase<ConcreteType, BroadcastingElementwise> {};

/// Pointwise ops (Clip_Pointwise in ClipOps.td): fusion, in-place reuse and
/// code generation ask this trait, through isPointwise.
template <typename ConcreteType>
class Pointwise : public OpTrait::TraitBase<ConcreteType, Pointwise> {};

namespace detail {
/// Runs the op's shape rule (its InferTypeOpInterface) and reports either the
/// rule's error or a declared result type that differs from the inferred one.
LogicalResult verifyShapeRule(Operation *op);
} // namespace detail

/// Verifies an op's declared result types against its shape rule with one
/// clear message. Listed before InferTypeOpInterface, whose own check would
/// add a second, vaguer one.
template <typename ConcreteType>
class ShapeChecked : public OpTrait::TraitBase<ConcreteType, ShapeChecked> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return detail::verifyShapeRule(op);
  }
};

} // namespace mlir::clip

#define GET_OP_CLASSES
#include "clip/IR/ClipOps.h.inc"

namespace mlir::clip {
/// Whether `op` computes each result element from the operands' elements at
/// the same (broadcast) index (the Pointwise trait).
inline bool isPointwise(Operation *op) { return op->hasTrait<Pointwise>(); }

/// Whether a mixed-precision policy must keep `result` in f32 storage:
/// statistics that later ops divide by or exponentiate (LayerNorm's mean and
/// rstd, attention's log-sum-exp, BatchNorm's batch statistics), reductions
/// and softmaxes, everything of the contrastive loss, gradients that are
/// sums over the batch (LayerNorm's weight and bias, a convolution's weight,
/// an embedding table's scatter), and scalars. Everything else (activations,
/// GEMM and attention operands and results, their gradients) may be stored
/// in bf16, with f32 arithmetic inside every kernel.
bool keepsFullPrecision(OpResult result);

/// Whether a bf16 policy rounds `operand` to bf16 before the op reads it:
/// the operands of the tensor-core ops (GEMM, matmul and convolution
/// operands, not biases or residuals; attention's queries, keys, values and
/// their gradients), which a GPU multiplies in bf16 with f32 accumulation.
bool takesBf16Operand(OpOperand &operand);
} // namespace mlir::clip

#endif // CLIP_IR_CLIPOPS_H
