//===- ShapeErrors.h - Error reporting shared by the shape rules ----------===//
//
// Internal to the dialect: the helpers that the `inferReturnTypes` of the
// primitive ops (ClipOps.cpp) and of the fused ops (ClipFusedOps.cpp) use to
// report what is wrong, naming operand, dim and sizes.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_IR_SHAPEERRORS_H
#define CLIP_IR_SHAPEERRORS_H

#include "clip/IR/ShapeRules.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"

namespace mlir::clip::detail {

/// Reports shape errors from `inferReturnTypes`, prefixed like the
/// verifier's own messages ("'clip.matmul' op ...").
struct ShapeErrors {
  std::optional<Location> loc;
  StringRef opName;

  template <typename... Args> LogicalResult fail(Args &&...args) const {
    return emitOptionalError(loc, "'", opName, "' op ",
                             std::forward<Args>(args)...);
  }
};

/// The ranked tensor type of `value`, or failure with a message. ODS type
/// constraints normally run first; this guards builders and passes.
inline FailureOr<RankedTensorType> rankedTensor(const ShapeErrors &errors,
                                                Value value, StringRef role) {
  auto type = llvm::dyn_cast_if_present<RankedTensorType>(
      value ? value.getType() : Type());
  if (!type) {
    (void)errors.fail(role, " must be a ranked tensor");
    return failure();
  }
  return type;
}

/// "[2x?x768]": a shape as it reads in a message.
inline std::string shapeOf(RankedTensorType type) {
  return "[" + formatShape(type.getShape()) + "]";
}

/// Checks that two operands have the same element type.
inline LogicalResult sameElementType(const ShapeErrors &errors,
                                     RankedTensorType a, StringRef aName,
                                     RankedTensorType b, StringRef bName) {
  if (a.getElementType() != b.getElementType())
    return errors.fail(aName, " element type ", a.getElementType(),
                       " does not match ", bName, " element type ",
                       b.getElementType());
  return success();
}

/// The shape rule of `clip.matmul`, shared with `clip.gemm`.
FailureOr<RankedTensorType> inferMatmul(const ShapeErrors &errors, Value lhs,
                                        Value rhs, bool transposeLhs,
                                        bool transposeRhs);

} // namespace mlir::clip::detail

#endif // CLIP_IR_SHAPEERRORS_H
