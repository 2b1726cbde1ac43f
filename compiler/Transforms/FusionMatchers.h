//===- FusionMatchers.h - Dataflow matchers shared by the fusions ---------===//
//
// Small predicates the fusion patterns (Fuse*.cpp) build their matchers from.
// Each checks one exact fact about the IR, so a pattern reads as the formula
// it replaces.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_TRANSFORMS_FUSIONMATCHERS_H
#define CLIP_COMPILER_TRANSFORMS_FUSIONMATCHERS_H

#include "clip/IR/ClipOps.h"

#include "mlir/IR/Matchers.h"

#include <optional>
#include <utility>

namespace mlir::clip {

/// Whether every user of `value` is `user`.
inline bool onlyUsedBy(Value value, Operation *user) {
  return llvm::all_of(value.getUsers(),
                      [&](Operation *u) { return u == user; });
}

/// `value`'s defining op if it is an `OpTy` used by nothing but `user`.
template <typename OpTy> OpTy soleUseOp(Value value, Operation *user) {
  auto op = value.getDefiningOp<OpTy>();
  if (!op || !onlyUsedBy(value, user))
    return nullptr;
  return op;
}

/// For a commutative binary op, the operand pair with the one defined by
/// `OpTy` (and used only by `op`) first.
template <typename OpTy>
std::optional<std::pair<OpTy, Value>> operandDefinedBy(Operation *op) {
  for (int i = 0; i < 2; ++i)
    if (auto def = soleUseOp<OpTy>(op->getOperand(i), op))
      return std::make_pair(def, op->getOperand(1 - i));
  return std::nullopt;
}

/// The value of a splat float constant whose dims are all 1 (a scalar in any
/// rank), as stored in its element type.
inline std::optional<double> splatScalar(Value value) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat())
    return std::nullopt;
  auto type = cast<ShapedType>(attr.getType());
  if (llvm::any_of(type.getShape(), [](int64_t d) { return d != 1; }))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// Peels multiplications and divisions by scalar constants and negations off
/// `value`: returns the value underneath and multiplies `factor` by what was
/// peeled. Only ops whose result keeps `value`'s type are peeled, and each
/// peeled op but the outermost must be used only by the one above it.
inline Value peelScalarFactors(Value value, double &factor) {
  Operation *above = nullptr;
  while (Operation *op = value.getDefiningOp()) {
    if (above && !onlyUsedBy(value, above))
      break;
    Value inner;
    if (auto neg = dyn_cast<NegOp>(op)) {
      inner = neg.getInput();
      factor = -factor;
    } else if (isa<MulOp, DivOp>(op)) {
      const bool isMul = isa<MulOp>(op);
      // mul: either operand may be the constant; div: only the divisor.
      for (int i = isMul ? 0 : 1; i < 2 && !inner; ++i) {
        std::optional<double> c = splatScalar(op->getOperand(i));
        Value other = op->getOperand(1 - i);
        if (c && *c != 0.0 && other.getType() == value.getType()) {
          inner = other;
          factor = isMul ? factor * *c : factor / *c;
        }
      }
    }
    if (!inner)
      break;
    above = op;
    value = inner;
  }
  return value;
}

/// Whether `perm` swaps the last two dims and keeps the others.
inline bool isLastTwoSwap(ArrayRef<int64_t> perm) {
  const int64_t rank = perm.size();
  if (rank < 2)
    return false;
  for (int64_t i = 0; i < rank - 2; ++i)
    if (perm[i] != i)
      return false;
  return perm[rank - 2] == rank - 1 && perm[rank - 1] == rank - 2;
}

} // namespace mlir::clip

#endif // CLIP_COMPILER_TRANSFORMS_FUSIONMATCHERS_H
