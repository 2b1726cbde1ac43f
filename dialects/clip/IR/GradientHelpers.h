//===- GradientHelpers.h - Shared pieces of the gradient rules --*- C++ -*-===//
//
// Internal to the dialect: used by the rules of the primitive ops
// (ClipGradients.cpp) and of the fused ops (ClipFusedGradients.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_IR_GRADIENTHELPERS_H
#define CLIP_IR_GRADIENTHELPERS_H

#include "mlir/IR/Builders.h"

#include <utility>

namespace mlir::clip::detail {

/// A scalar constant of `like`'s element type.
Value scalarLike(OpBuilder &b, Location loc, double value, Value like);

/// `grad` summed over the dims that broadcasting stretched, so that it has
/// `targetType` (NumPy rules: leading dims, and dims of size 1).
Value sumToType(OpBuilder &b, Location loc, Value grad, Type targetType);

/// The gradients of `matmul(lhs, rhs)` (with its transposes) given the
/// result's gradient, each of its operand's type.
std::pair<Value, Value> matmulGradients(OpBuilder &b, Location loc, Value lhs,
                                        Value rhs, bool transposeLhs,
                                        bool transposeRhs, Value grad);

} // namespace mlir::clip::detail

#endif // CLIP_IR_GRADIENTHELPERS_H
