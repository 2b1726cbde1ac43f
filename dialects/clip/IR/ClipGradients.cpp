//===- ClipGradients.cpp - Reverse-mode gradient rules of the clip ops ----===//
//
// One `buildGradients` per op (DifferentiableOpInterface): from the
// gradients of the results to those of the operands, built from clip ops at
// the builder's insertion point. Broadcasting is undone by `sumToType`.
// Checked against central finite differences for every op in
// test/unit/GradientTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipOps.h"
#include "clip/IR/GradientHelpers.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <numeric>

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::detail;

#include "clip/IR/ClipInterfaces.cpp.inc"

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// The shape attribute that reshapes to `type`: its dims, -1 for a `?`.
SmallVector<int64_t> reshapeTarget(RankedTensorType type) {
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t &d : shape)
    if (ShapedType::isDynamic(d))
      d = -1;
  return shape;
}

/// `grad` (a reduction's result gradient) reshaped to keep the reduced axes
/// and broadcast back to the input's type.
Value broadcastBack(OpBuilder &b, Location loc, Value grad,
                    ArrayRef<int64_t> axes, bool keepdims, Value input) {
  RankedTensorType in = tensorType(input);
  if (!keepdims) {
    SmallVector<int64_t> kept(in.getShape());
    for (int64_t a : axes)
      kept[a] = 1;
    grad = b.create<ReshapeOp>(
        loc, grad,
        reshapeTarget(RankedTensorType::get(kept, in.getElementType())));
  }
  return b.create<BroadcastOp>(loc, in, grad);
}

/// The common case: one result; `rule` returns the operand gradients.
LogicalResult
unaryRule(Operation *op, ArrayRef<Value> resultGradients,
          SmallVectorImpl<Value> &operandGradients,
          llvm::function_ref<void(Value grad, SmallVectorImpl<Value> &)> rule) {
  operandGradients.assign(op->getNumOperands(), Value());
  if (Value grad = resultGradients.front())
    rule(grad, operandGradients);
  return success();
}

bool isFloat(Value v) { return isa<FloatType>(tensorType(v).getElementType()); }

} // namespace

Value mlir::clip::detail::scalarLike(OpBuilder &b, Location loc, double value,
                                     Value like) {
  Type element = cast<RankedTensorType>(like.getType()).getElementType();
  auto type = RankedTensorType::get({}, element);
  return b.create<ConstantOp>(
      loc, DenseElementsAttr::get(type, b.getFloatAttr(element, value)));
}

Value mlir::clip::detail::sumToType(OpBuilder &b, Location loc, Value grad,
                                    Type targetType) {
  if (!grad || grad.getType() == targetType)
    return grad;
  auto target = cast<RankedTensorType>(targetType);
  auto from = tensorType(grad);
  const int64_t extra = from.getRank() - target.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < from.getRank(); ++d)
    if (d < extra ||
        (target.getDimSize(d - extra) == 1 && from.getDimSize(d) != 1))
      axes.push_back(d);
  Value summed = grad;
  if (!axes.empty())
    summed = b.create<ReduceSumOp>(loc, grad, axes, /*keepdims=*/true);
  if (summed.getType() != targetType)
    summed = b.create<ReshapeOp>(loc, summed, reshapeTarget(target));
  return summed;
}

#define UNARY_RULE(OpTy, BODY)                                                 \
  LogicalResult OpTy::buildGradients(                                          \
      OpBuilder &b, ArrayRef<Value> resultGradients,                           \
      SmallVectorImpl<Value> &operandGradients) {                              \
    Location loc = getLoc();                                                   \
    Value x = getInput(), y = getResult();                                     \
    (void)x;                                                                   \
    (void)y;                                                                   \
    (void)loc;                                                                 \
    return unaryRule(*this, resultGradients, operandGradients,                 \
                     [&](Value g, SmallVectorImpl<Value> &out) {               \
                       if (isFloat(x))                                         \
                         out[0] = BODY;                                        \
                     });                                                       \
  }

// d(-x) = -g
UNARY_RULE(NegOp, b.create<NegOp>(loc, g))
// d(e^x) = g e^x
UNARY_RULE(ExpOp, b.create<MulOp>(loc, g, y))
// d(log x) = g / x
UNARY_RULE(LogOp, b.create<DivOp>(loc, g, x))
// d(sqrt x) = g / (2 sqrt x)
UNARY_RULE(SqrtOp,
           b.create<DivOp>(loc,
                           b.create<MulOp>(loc, g, scalarLike(b, loc, 0.5, g)),
                           y))
// d(x^-1/2) = -g y^3 / 2
UNARY_RULE(RsqrtOp,
           b.create<MulOp>(loc,
                           b.create<MulOp>(loc, g, scalarLike(b, loc, -0.5, g)),
                           b.create<MulOp>(loc, b.create<MulOp>(loc, y, y), y)))
// d(tanh x) = g (1 - y^2)
UNARY_RULE(TanhOp,
           b.create<MulOp>(loc, g,
                           b.create<SubOp>(loc, scalarLike(b, loc, 1.0, y),
                                           b.create<MulOp>(loc, y, y))))
// d(sigmoid x) = g y (1 - y)
UNARY_RULE(SigmoidOp,
           b.create<MulOp>(loc, b.create<MulOp>(loc, g, y),
                           b.create<SubOp>(loc, scalarLike(b, loc, 1.0, y), y)))
// d(erf x) = g 2/sqrt(pi) e^(-x^2)
UNARY_RULE(
    ErfOp,
    b.create<MulOp>(
        loc, b.create<MulOp>(loc, g, scalarLike(b, loc, 1.1283791670955126, g)),
        b.create<ExpOp>(loc, b.create<NegOp>(loc, b.create<MulOp>(loc, x, x)))))
#undef UNARY_RULE

LogicalResult GeluOp::buildGradients(OpBuilder &b,
                                     ArrayRef<Value> resultGradients,
                                     SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     out[0] = b.create<GeluGradOp>(getLoc(), getInput(), g,
                                                   getApproximation());
                   });
}

LogicalResult DropoutOp::buildGradients(
    OpBuilder &b, ArrayRef<Value> resultGradients,
    SmallVectorImpl<Value> &operandGradients) {
  // The mask depends on (seed, stream, element) alone: the input's
  // gradient is the result's through the same mask and scale. The seed is
  // an integer: no gradient.
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     out[0] = b.create<DropoutOp>(getLoc(), g.getType(), g,
                                                  getSeed(), getRateAttr(),
                                                  getStreamAttr());
                   });
}

LogicalResult CastOp::buildGradients(OpBuilder &b,
                                     ArrayRef<Value> resultGradients,
                                     SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     // Only float -> float conversions carry a gradient.
                     if (isFloat(getInput()) && isFloat(getResult()))
                       out[0] =
                           b.create<CastOp>(getLoc(), getInput().getType(), g);
                   });
}

//===----------------------------------------------------------------------===//
// Broadcasting binary ops.
//===----------------------------------------------------------------------===//

namespace {
/// Runs `rule(g, dLhs, dRhs)` for a float binary op and sums each operand's
/// gradient back to its type.
template <typename OpTy, typename Rule>
LogicalResult binaryRule(OpTy op, OpBuilder &b, ArrayRef<Value> resultGradients,
                         SmallVectorImpl<Value> &operandGradients, Rule rule) {
  operandGradients.assign(2, Value());
  Value g = resultGradients.front();
  if (!g || !isFloat(op.getResult()))
    return success();
  auto [dl, dr] = rule(g);
  operandGradients[0] = sumToType(b, op.getLoc(), dl, op.getLhs().getType());
  operandGradients[1] = sumToType(b, op.getLoc(), dr, op.getRhs().getType());
  return success();
}
} // namespace

LogicalResult AddOp::buildGradients(OpBuilder &b,
                                    ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  return binaryRule(*this, b, resultGradients, operandGradients, [&](Value g) {
    return std::pair{g, g};
  });
}

LogicalResult SubOp::buildGradients(OpBuilder &b,
                                    ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  return binaryRule(*this, b, resultGradients, operandGradients, [&](Value g) {
    return std::pair<Value, Value>{g, b.create<NegOp>(getLoc(), g)};
  });
}

LogicalResult MulOp::buildGradients(OpBuilder &b,
                                    ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  return binaryRule(*this, b, resultGradients, operandGradients, [&](Value g) {
    return std::pair<Value, Value>{b.create<MulOp>(getLoc(), g, getRhs()),
                                   b.create<MulOp>(getLoc(), g, getLhs())};
  });
}

LogicalResult DivOp::buildGradients(OpBuilder &b,
                                    ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  // d(a / b) = g / b, -g (a / b) / b
  return binaryRule(*this, b, resultGradients, operandGradients, [&](Value g) {
    Location loc = getLoc();
    Value dl = b.create<DivOp>(loc, g, getRhs());
    Value dr = b.create<NegOp>(
        loc,
        b.create<DivOp>(loc, b.create<MulOp>(loc, g, getResult()), getRhs()));
    return std::pair{dl, dr};
  });
}

namespace {
/// max/min: the gradient goes to the operand that was chosen (`lhs` where
/// `lhs pred rhs`, else `rhs`), as torch's ReLU and clamp do at ties.
template <typename OpTy>
LogicalResult selectingRule(OpTy op, OpBuilder &b,
                            ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients,
                            ComparePredicate predicate) {
  return binaryRule(op, b, resultGradients, operandGradients, [&](Value g) {
    Location loc = op.getLoc();
    Value takeLhs = b.create<CmpOp>(loc, predicate, op.getLhs(), op.getRhs());
    Value zero = scalarLike(b, loc, 0.0, g);
    return std::pair<Value, Value>{b.create<SelectOp>(loc, takeLhs, g, zero),
                                   b.create<SelectOp>(loc, takeLhs, zero, g)};
  });
}
} // namespace

LogicalResult MaxOp::buildGradients(OpBuilder &b,
                                    ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  return selectingRule(*this, b, resultGradients, operandGradients,
                       ComparePredicate::gt);
}

LogicalResult MinOp::buildGradients(OpBuilder &b,
                                    ArrayRef<Value> resultGradients,
                                    SmallVectorImpl<Value> &operandGradients) {
  return selectingRule(*this, b, resultGradients, operandGradients,
                       ComparePredicate::lt);
}

LogicalResult
SelectOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                         SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(3, Value());
  Value g = resultGradients.front();
  if (!g || !isFloat(getResult()))
    return success();
  Location loc = getLoc();
  Value zero = scalarLike(b, loc, 0.0, g);
  operandGradients[1] =
      sumToType(b, loc, b.create<SelectOp>(loc, getCondition(), g, zero),
                getOnTrue().getType());
  operandGradients[2] =
      sumToType(b, loc, b.create<SelectOp>(loc, getCondition(), zero, g),
                getOnFalse().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Matmul.
//===----------------------------------------------------------------------===//

std::pair<Value, Value>
mlir::clip::detail::matmulGradients(OpBuilder &b, Location loc, Value lhs,
                                    Value rhs, bool tl, bool tr, Value g) {
  // lhs_eff = tl ? lhs^T : lhs, rhs_eff likewise; C = lhs_eff rhs_eff.
  // d lhs_eff = g rhs_eff^T;  d rhs_eff = lhs_eff^T g.
  Value dl = tl ? b.create<MatmulOp>(loc, rhs, g, /*transpose_lhs=*/tr,
                                     /*transpose_rhs=*/true)
                : b.create<MatmulOp>(loc, g, rhs, /*transpose_lhs=*/false,
                                     /*transpose_rhs=*/!tr);
  // A shared 2-D weight times a batch of rows: fold the batch into the
  // contraction instead of forming one product per batch element.
  Value dr;
  auto lhsType = tensorType(lhs), gType = tensorType(g);
  if (tensorType(rhs).getRank() == 2 && lhsType.getRank() > 2 && !tl) {
    auto flat = [&](Value v, RankedTensorType t) {
      return b.create<ReshapeOp>(loc, v,
                                 ArrayRef<int64_t>{-1, t.getShape().back()});
    };
    Value l2 = flat(lhs, lhsType), g2 = flat(g, gType);
    dr = tr ? b.create<MatmulOp>(loc, g2, l2, true, false)
            : b.create<MatmulOp>(loc, l2, g2, true, false);
  } else {
    dr = tr ? b.create<MatmulOp>(loc, g, lhs, /*transpose_lhs=*/true,
                                 /*transpose_rhs=*/tl)
            : b.create<MatmulOp>(loc, lhs, g, /*transpose_lhs=*/!tl,
                                 /*transpose_rhs=*/false);
  }
  return {sumToType(b, loc, dl, lhs.getType()),
          sumToType(b, loc, dr, rhs.getType())};
}

LogicalResult
MatmulOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                         SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(2, Value());
  Value g = resultGradients.front();
  if (!g || !isFloat(getResult()))
    return success();
  auto [dl, dr] = matmulGradients(b, getLoc(), getLhs(), getRhs(),
                                  getTransposeLhs(), getTransposeRhs(), g);
  operandGradients[0] = dl;
  operandGradients[1] = dr;
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and softmax.
//===----------------------------------------------------------------------===//

LogicalResult
ReduceSumOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     if (isFloat(getInput()))
                       out[0] = broadcastBack(b, getLoc(), g, getAxes(),
                                              getKeepdims(), getInput());
                   });
}

LogicalResult
ReduceMeanOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                             SmallVectorImpl<Value> &operandGradients) {
  RankedTensorType in = tensorType(getInput());
  int64_t count = 1;
  for (int64_t a : getAxes()) {
    if (in.isDynamicDim(a))
      return emitOpError("gradient of a mean over the dynamic dim ")
             << a << " needs the batch specialized first";
    count *= in.getDimSize(a);
  }
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     Location loc = getLoc();
                     Value scaled = b.create<DivOp>(
                         loc, g, scalarLike(b, loc, double(count), g));
                     out[0] = broadcastBack(b, loc, scaled, getAxes(),
                                            getKeepdims(), getInput());
                   });
}

LogicalResult
ReduceMaxOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(
      *this, resultGradients, operandGradients,
      [&](Value g, SmallVectorImpl<Value> &out) {
        Location loc = getLoc();
        Value max = broadcastBack(b, loc, getResult(), getAxes(), getKeepdims(),
                                  getInput());
        Value isMax =
            b.create<CmpOp>(loc, ComparePredicate::eq, getInput(), max);
        Value gb =
            broadcastBack(b, loc, g, getAxes(), getKeepdims(), getInput());
        out[0] = b.create<SelectOp>(loc, isMax, gb, scalarLike(b, loc, 0.0, g));
      });
}

LogicalResult
SoftmaxOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                          SmallVectorImpl<Value> &operandGradients) {
  // dx = y (g - sum(g y))
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     Location loc = getLoc();
                     Value y = getResult();
                     Value dot = b.create<ReduceSumOp>(
                         loc, b.create<MulOp>(loc, g, y),
                         ArrayRef<int64_t>{int64_t(getAxis())}, true);
                     out[0] =
                         b.create<MulOp>(loc, y, b.create<SubOp>(loc, g, dot));
                   });
}

LogicalResult
LogSoftmaxOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                             SmallVectorImpl<Value> &operandGradients) {
  // dx = g - exp(y) sum(g)
  return unaryRule(
      *this, resultGradients, operandGradients,
      [&](Value g, SmallVectorImpl<Value> &out) {
        Location loc = getLoc();
        Value total = b.create<ReduceSumOp>(
            loc, g, ArrayRef<int64_t>{int64_t(getAxis())}, true);
        out[0] = b.create<SubOp>(
            loc, g,
            b.create<MulOp>(loc, b.create<ExpOp>(loc, getResult()), total));
      });
}

//===----------------------------------------------------------------------===//
// Shape ops.
//===----------------------------------------------------------------------===//

LogicalResult
ReshapeOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                          SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     if (isFloat(getInput()))
                       out[0] = b.create<ReshapeOp>(
                           getLoc(), g, reshapeTarget(tensorType(getInput())));
                   });
}

LogicalResult
TransposeOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     if (!isFloat(getInput()))
                       return;
                     ArrayRef<int64_t> perm = getPermutation();
                     SmallVector<int64_t> inverse(perm.size());
                     for (auto [i, p] : llvm::enumerate(perm))
                       inverse[p] = i;
                     out[0] = b.create<TransposeOp>(getLoc(), g, inverse);
                   });
}

LogicalResult
BroadcastOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     if (isFloat(getInput()))
                       out[0] = sumToType(b, getLoc(), g, getInput().getType());
                   });
}

LogicalResult
ConcatOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                         SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(getNumOperands(), Value());
  Value g = resultGradients.front();
  if (!g || !isFloat(getResult()))
    return success();
  const int64_t axis = getAxis();
  int64_t offset = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    const int64_t size = tensorType(input).getDimSize(axis);
    if (ShapedType::isDynamic(size))
      return emitOpError("gradient of a concat along a dynamic dim needs the "
                         "batch specialized first");
    operandGradients[i] =
        b.create<SliceOp>(getLoc(), g, axis, offset, offset + size, 1);
    offset += size;
  }
  return success();
}

LogicalResult
SliceOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                        SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     if (isFloat(getInput()))
                       out[0] = b.create<SliceGradOp>(
                           getLoc(), getInput().getType(), g, getAxis(),
                           getStart(), getEnd(), getStep());
                   });
}

LogicalResult
GatherOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                         SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     if (isFloat(getInput()))
                       out[0] = b.create<GatherGradOp>(
                           getLoc(), getInput().getType(), g, getIndices(),
                           getAxis(), getBatchDims());
                   });
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, batch norm.
//===----------------------------------------------------------------------===//

namespace {
/// Every axis of a [N, C, ...] tensor but the channel axis 1.
SmallVector<int64_t> allButChannel(Value x) {
  SmallVector<int64_t> axes{0};
  for (int64_t d = 2; d < tensorType(x).getRank(); ++d)
    axes.push_back(d);
  return axes;
}

/// A per-channel [C] vector shaped [C, 1, ...] to broadcast against `x`.
Value perChannel(OpBuilder &b, Location loc, Value v, Value x) {
  SmallVector<int64_t> shape{tensorType(v).getDimSize(0)};
  shape.append(tensorType(x).getRank() - 2, 1);
  return b.create<ReshapeOp>(loc, v, shape);
}
} // namespace

LogicalResult
Conv2DOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                         SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(getNumOperands(), Value());
  Value g = resultGradients.front();
  if (!g)
    return success();
  auto grad = b.create<Conv2DGradOp>(getLoc(), g, getInput(), getWeight(),
                                     getStrideAttr(), getPaddingAttr(),
                                     getDilationAttr(), getGroupsAttr());
  operandGradients[0] = grad.getInputGrad();
  operandGradients[1] = grad.getWeightGrad();
  if (getBias())
    operandGradients[2] = b.create<ReduceSumOp>(getLoc(), g, allButChannel(g),
                                                /*keepdims=*/false);
  return success();
}

LogicalResult
AvgPool2DOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients) {
  return unaryRule(*this, resultGradients, operandGradients,
                   [&](Value g, SmallVectorImpl<Value> &out) {
                     out[0] = b.create<AvgPool2DGradOp>(
                         getLoc(), getInput().getType(), g, getKernelAttr(),
                         getStrideAttr(), getPaddingAttr());
                   });
}

LogicalResult
BatchNormOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients) {
  // y = (x - m) inv * scale + bias with inv = rsqrt(var + eps); the running
  // statistics take no gradient.
  operandGradients.assign(5, Value());
  Value g = resultGradients.front();
  if (!g)
    return success();
  Location loc = getLoc();
  Value x = getInput();
  Value inv = b.create<RsqrtOp>(
      loc,
      b.create<AddOp>(loc, getRunningVar(),
                      scalarLike(b, loc, getEpsilon().convertToDouble(), g)));
  operandGradients[0] = b.create<MulOp>(
      loc, g, perChannel(b, loc, b.create<MulOp>(loc, getScale(), inv), x));
  Value xhat = b.create<MulOp>(
      loc, b.create<SubOp>(loc, x, perChannel(b, loc, getRunningMean(), x)),
      perChannel(b, loc, inv, x));
  operandGradients[1] = b.create<ReduceSumOp>(
      loc, b.create<MulOp>(loc, g, xhat), allButChannel(x), false);
  operandGradients[2] = b.create<ReduceSumOp>(loc, g, allButChannel(x), false);
  return success();
}

LogicalResult
BatchNormTrainOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                                 SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(5, Value());
  if (resultGradients[1] || resultGradients[2])
    return emitOpError("the updated running statistics take no gradient");
  Value g = resultGradients[0];
  if (!g)
    return success();
  // The batch statistics are recomputed (the op does not return them):
  // dx = inv (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = g scale.
  Location loc = getLoc();
  Value x = getInput();
  SmallVector<int64_t> axes = allButChannel(x);
  for (int64_t a : axes)
    if (tensorType(x).isDynamicDim(a))
      return emitOpError("gradient of batch statistics needs the batch "
                         "specialized first");
  Value mean = b.create<ReduceMeanOp>(loc, x, axes, true);
  Value centered = b.create<SubOp>(loc, x, mean);
  Value var = b.create<ReduceMeanOp>(
      loc, b.create<MulOp>(loc, centered, centered), axes, true);
  Value inv = b.create<RsqrtOp>(
      loc,
      b.create<AddOp>(loc, var,
                      scalarLike(b, loc, getEpsilon().convertToDouble(), g)));
  Value xhat = b.create<MulOp>(loc, centered, inv);
  Value dxhat = b.create<MulOp>(loc, g, perChannel(b, loc, getScale(), x));
  Value meanDxhat = b.create<ReduceMeanOp>(loc, dxhat, axes, true);
  Value meanDxhatXhat = b.create<ReduceMeanOp>(
      loc, b.create<MulOp>(loc, dxhat, xhat), axes, true);
  operandGradients[0] = b.create<MulOp>(
      loc, inv,
      b.create<SubOp>(loc, b.create<SubOp>(loc, dxhat, meanDxhat),
                      b.create<MulOp>(loc, xhat, meanDxhatXhat)));
  operandGradients[1] =
      b.create<ReduceSumOp>(loc, b.create<MulOp>(loc, g, xhat), axes, false);
  operandGradients[2] = b.create<ReduceSumOp>(loc, g, axes, false);
  return success();
}
