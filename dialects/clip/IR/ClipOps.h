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
} // namespace mlir::clip

#endif // CLIP_IR_CLIPOPS_H
