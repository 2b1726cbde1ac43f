//===- ClipFolds.cpp - Folds and canonicalizations of the clip ops --------===//
//
// Only rewrites that are exact in floating point: identities (x + -0, x * 1,
// transpose of a transpose, ...), constant folding, and dropping explicit
// broadcasts that the consuming elementwise op would do implicitly.
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::clip;

//===----------------------------------------------------------------------===//
// Constant folding helpers.
//===----------------------------------------------------------------------===//

/// The value of `v` as a double (exact for f16/bf16/f32/f64).
static double toDouble(const APFloat &v) {
  APFloat copy = v;
  bool losesInfo = false;
  copy.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  return copy.convertToDouble();
}

/// `d` rounded to `semantics`.
static APFloat fromDouble(double d, const llvm::fltSemantics &semantics) {
  APFloat value(d);
  bool losesInfo = false;
  value.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
  return value;
}

/// Folds a float unary op on a constant operand by computing in double and
/// rounding once to the element type.
static OpFoldResult foldFloatUnary(Attribute operand,
                                   llvm::function_ref<double(double)> fn) {
  auto dense = llvm::dyn_cast_if_present<DenseFPElementsAttr>(operand);
  if (!dense)
    return {};
  auto elementType = llvm::cast<FloatType>(dense.getElementType());
  const llvm::fltSemantics &semantics = elementType.getFloatSemantics();
  return dense.mapValues(elementType, [&](const APFloat &v) {
    return fromDouble(fn(toDouble(v)), semantics).bitcastToAPInt();
  });
}

/// Folds a binary op on two constants of the result's own type (no
/// broadcasting), for float and integer elements.
static OpFoldResult foldBinaryConstants(
    ArrayRef<Attribute> operands, Type resultType,
    llvm::function_ref<APFloat(APFloat, APFloat)> onFloat,
    llvm::function_ref<std::optional<APInt>(APInt, APInt)> onInt) {
  if (!operands[0] || !operands[1])
    return {};
  auto lhs = llvm::dyn_cast<TypedAttr>(operands[0]);
  auto rhs = llvm::dyn_cast<TypedAttr>(operands[1]);
  if (!lhs || !rhs || lhs.getType() != resultType ||
      rhs.getType() != resultType)
    return {};
  // The common folders read elements as the attribute class they are given,
  // so pick the class by element type.
  Type element = getElementTypeOrSelf(resultType);
  if (llvm::isa<FloatType>(element))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(
        operands, [&](APFloat a, APFloat b) { return onFloat(a, b); });
  if (llvm::isa<IntegerType>(element))
    return constFoldBinaryOpConditional<IntegerAttr, APInt, void>(
        operands, [&](APInt a, APInt b) { return onInt(a, b); });
  return {};
}

/// `attr` reshaped to `type` when it is a splat: splats have no layout.
static OpFoldResult reshapeSplat(Attribute attr, ShapedType type) {
  auto splat = llvm::dyn_cast_if_present<SplatElementsAttr>(attr);
  if (!splat || !type.hasStaticShape())
    return {};
  return SplatElementsAttr::get(type, splat.getSplatValue<Attribute>());
}

//===----------------------------------------------------------------------===//
// Sources and elementwise ops.
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  if (auto ints =
          llvm::dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getInput()))
    return ints.mapValues(ints.getElementType(),
                          [](const APInt &v) { return -v; });
  return foldFloatUnary(adaptor.getInput(), [](double x) { return -x; });
}

OpFoldResult ExpOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(),
                        [](double x) { return std::exp(x); });
}
OpFoldResult LogOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(),
                        [](double x) { return std::log(x); });
}
OpFoldResult SqrtOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(),
                        [](double x) { return std::sqrt(x); });
}
OpFoldResult RsqrtOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(),
                        [](double x) { return 1.0 / std::sqrt(x); });
}
OpFoldResult TanhOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(),
                        [](double x) { return std::tanh(x); });
}
OpFoldResult SigmoidOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(),
                        [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}
OpFoldResult ErfOp::fold(FoldAdaptor adaptor) {
  return foldFloatUnary(adaptor.getInput(),
                        [](double x) { return std::erf(x); });
}

OpFoldResult GeluOp::fold(FoldAdaptor adaptor) {
  switch (getApproximation()) {
  case GeluApproximation::none:
    return foldFloatUnary(adaptor.getInput(), [](double x) {
      return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    });
  case GeluApproximation::tanh:
    return foldFloatUnary(adaptor.getInput(), [](double x) {
      const double c = std::sqrt(2.0 / M_PI);
      return 0.5 * x * (1.0 + std::tanh(c * (x + 0.044715 * x * x * x)));
    });
  case GeluApproximation::quick:
    return foldFloatUnary(adaptor.getInput(), [](double x) {
      return x / (1.0 + std::exp(-1.702 * x));
    });
  }
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

/// `value` when it already has the op's result type (the identity folds of
/// broadcasting ops may only drop an operand that needs no broadcast).
static OpFoldResult ifResultType(Value value, Type resultType) {
  if (value.getType() == resultType)
    return value;
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // x + (-0.0) == x for every x; x + 0.0 is not (-0.0 + 0.0 == +0.0).
  if (matchPattern(adaptor.getRhs(), m_NegZeroFloat()) ||
      matchPattern(adaptor.getRhs(), m_Zero()))
    return ifResultType(getLhs(), getType());
  if (matchPattern(adaptor.getLhs(), m_NegZeroFloat()) ||
      matchPattern(adaptor.getLhs(), m_Zero()))
    return ifResultType(getRhs(), getType());
  return foldBinaryConstants(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) { return a + b; },
      [](APInt a, APInt b) -> std::optional<APInt> { return a + b; });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (matchPattern(adaptor.getRhs(), m_PosZeroFloat()) ||
      matchPattern(adaptor.getRhs(), m_Zero()))
    return ifResultType(getLhs(), getType());
  return foldBinaryConstants(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) { return a - b; },
      [](APInt a, APInt b) -> std::optional<APInt> { return a - b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (matchPattern(adaptor.getRhs(), m_OneFloat()) ||
      matchPattern(adaptor.getRhs(), m_One()))
    return ifResultType(getLhs(), getType());
  if (matchPattern(adaptor.getLhs(), m_OneFloat()) ||
      matchPattern(adaptor.getLhs(), m_One()))
    return ifResultType(getRhs(), getType());
  return foldBinaryConstants(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) { return a * b; },
      [](APInt a, APInt b) -> std::optional<APInt> { return a * b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (matchPattern(adaptor.getRhs(), m_OneFloat()) ||
      matchPattern(adaptor.getRhs(), m_One()))
    return ifResultType(getLhs(), getType());
  return foldBinaryConstants(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) { return a / b; },
      [](APInt a, APInt b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt; // leave division by zero to run time
        return a.sdiv(b);
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinaryConstants(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) { return llvm::maximum(a, b); },
      [](APInt a, APInt b) -> std::optional<APInt> {
        return a.sgt(b) ? a : b;
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinaryConstants(
      adaptor.getOperands(), getType(),
      [](APFloat a, APFloat b) { return llvm::minimum(a, b); },
      [](APInt a, APInt b) -> std::optional<APInt> {
        return a.slt(b) ? a : b;
      });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return ifResultType(getOnTrue(), getType());
  auto cond =
      llvm::dyn_cast_if_present<SplatElementsAttr>(adaptor.getCondition());
  if (!cond)
    return {};
  return ifResultType(cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse(),
                      getType());
}

//===----------------------------------------------------------------------===//
// Reductions and shape manipulation.
//===----------------------------------------------------------------------===//

#define CLIP_FOLD_EMPTY_REDUCTION(OpClass)                                     \
  OpFoldResult OpClass::fold(FoldAdaptor) {                                    \
    if (getAxes().empty())                                                     \
      return ifResultType(getInput(), getType());                              \
    return {};                                                                 \
  }
CLIP_FOLD_EMPTY_REDUCTION(ReduceSumOp)
CLIP_FOLD_EMPTY_REDUCTION(ReduceMeanOp)
CLIP_FOLD_EMPTY_REDUCTION(ReduceMaxOp)
#undef CLIP_FOLD_EMPTY_REDUCTION

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  // With at most one `?` a reshape to the same type keeps every element put.
  if (getInput().getType() == getType() && getType().getNumDynamicDims() <= 1)
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return reshapeSplat(adaptor.getInput(), getType());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    // result[i] = inner.input[innerPerm[perm[i]]]
    ArrayRef<int64_t> innerPerm = inner.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(innerPerm[p]);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())))
      return inner.getInput();
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  return reshapeSplat(adaptor.getInput(), getType());
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // Broadcasts compose: x -> y -> z is x -> z.
  if (auto inner = getInput().getDefiningOp<BroadcastOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return reshapeSplat(adaptor.getInput(), getType());
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return ifResultType(getInputs().front(), getType());
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getStart() == 0 && getStep() == 1 && getInput().getType() == getType())
    return getInput();
  return reshapeSplat(adaptor.getInput(), getType());
}

//===----------------------------------------------------------------------===//
// Dialect-wide canonicalization.
//===----------------------------------------------------------------------===//

namespace {

/// add(broadcast(x), y) -> add(x, y) when the op's implicit broadcasting gives
/// the same result type: fewer materialized tensors, and fusion sees the
/// operands as they were declared.
struct DropImplicitBroadcast : RewritePattern {
  explicit DropImplicitBroadcast(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!op->hasTrait<BroadcastingElementwise>())
      return failure();
    auto inferable = llvm::dyn_cast<InferTypeOpInterface>(op);
    if (!inferable)
      return failure();
    for (OpOperand &operand : op->getOpOperands()) {
      auto broadcast = operand.get().getDefiningOp<BroadcastOp>();
      if (!broadcast)
        continue;
      SmallVector<Value> operands(op->getOperands());
      operands[operand.getOperandNumber()] = broadcast.getInput();
      SmallVector<Type> inferred;
      if (failed(inferable.inferReturnTypes(
              op->getContext(), /*location=*/std::nullopt, operands,
              op->getAttrDictionary(), op->getPropertiesStorage(),
              op->getRegions(), inferred)) ||
          TypeRange(inferred) != op->getResultTypes())
        continue;
      rewriter.modifyOpInPlace(op, [&] { operand.set(broadcast.getInput()); });
      return success();
    }
    return failure();
  }
};

} // namespace

void ClipDialect::getCanonicalizationPatterns(
    RewritePatternSet &results) const {
  results.add<DropImplicitBroadcast>(getContext());
}
