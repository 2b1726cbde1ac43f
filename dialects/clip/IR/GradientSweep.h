//===- GradientSweep.h - The reverse-mode sweep over a list of ops --------===//
//
// Accumulates the loss's gradient per value and applies each op's
// DifferentiableOpInterface rule, last op first. Used by clip-autodiff over
// a whole function and by clip.elementwise's rule over its recomputed body.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_IR_GRADIENTSWEEP_H
#define CLIP_IR_GRADIENTSWEEP_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <functional>

namespace mlir::clip {

class GradientSweep {
public:
  /// Backward ops are built with `builder`; only operands for which
  /// `wantsGradient` holds receive a gradient.
  GradientSweep(OpBuilder &builder, std::function<bool(Value)> wantsGradient)
      : builder(builder), wantsGradient(std::move(wantsGradient)) {}

  /// Adds `gradient` to `value`'s (summing a value used several times).
  void accumulate(Value value, Value gradient);
  /// `value`'s gradient so far, or null.
  Value gradientOf(Value value) const { return gradients.lookup(value); }

  /// Applies `op`'s rule when one of its results has a gradient and one of
  /// its operands wants one; an op without a rule is reported.
  LogicalResult backward(Operation *op);
  /// `backward` over `ops`, last first.
  LogicalResult backward(ArrayRef<Operation *> ops);

private:
  OpBuilder &builder;
  std::function<bool(Value)> wantsGradient;
  llvm::DenseMap<Value, Value> gradients;
};

} // namespace mlir::clip

#endif // CLIP_IR_GRADIENTSWEEP_H
