//===- ClipOps.cpp - Shape rules and verifiers of the clip ops ------------===//
//
// Each op's shape rule lives in its `inferReturnTypes`, which reports what is
// wrong (naming the operand, dim and sizes) when the operands do not fit.
// The InferTypeOpInterface trait runs it during verification and compares the
// result with the declared type, so one rule serves builders, the verifier and
// `clip-specialize-batch`.
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipOps.h"
#include "clip/IR/ShapeErrors.h"
#include "clip/IR/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::detail;

//===----------------------------------------------------------------------===//
// Helpers.
//===----------------------------------------------------------------------===//

namespace {

/// "0, 2, 1": an attribute's integers as written in the IR.
std::string formatList(ArrayRef<int64_t> values) {
  std::string out;
  for (auto [i, v] : llvm::enumerate(values))
    out += (i ? ", " : "") + std::to_string(v);
  return out;
}

/// Checks that `axis` indexes a dim of a tensor of `rank`.
LogicalResult checkAxis(const ShapeErrors &errors, int64_t axis, int64_t rank,
                        StringRef what, StringRef operand) {
  if (axis < 0 || axis >= rank)
    return errors.fail(what, " ", axis, " is out of range for ", operand,
                       " of rank ", rank);
  return success();
}

/// Broadcasts `type`'s shape with `shape` in place, reporting a mismatch as
/// "cannot broadcast <lhsName> [...] with <rhsName> [...]".
LogicalResult broadcastInto(const ShapeErrors &errors,
                            SmallVectorImpl<int64_t> &shape,
                            StringRef accumulatedName, RankedTensorType type,
                            StringRef operandName) {
  SmallVector<int64_t> result;
  if (auto mismatch = broadcastShapes(shape, type.getShape(), result)) {
    return errors.fail(
        "cannot broadcast ", accumulatedName, " [", formatShape(shape),
        "] with ", operandName, " ", shapeOf(type), ": dim ", mismatch->lhsDim,
        " of ", accumulatedName, " is ", mismatch->lhsSize, " but dim ",
        mismatch->rhsDim, " of ", operandName, " is ", mismatch->rhsSize);
  }
  shape.assign(result.begin(), result.end());
  return success();
}

/// Shape rule shared by the broadcasting binary ops: same element type,
/// broadcast shapes, result of `resultElement` (or the operands' type).
LogicalResult inferBinary(const ShapeErrors &errors, Value lhsValue,
                          Value rhsValue, Type resultElement,
                          SmallVectorImpl<Type> &inferred) {
  auto lhs = rankedTensor(errors, lhsValue, "lhs");
  auto rhs = rankedTensor(errors, rhsValue, "rhs");
  if (failed(lhs) || failed(rhs))
    return failure();
  if (failed(sameElementType(errors, *lhs, "lhs", *rhs, "rhs")))
    return failure();
  SmallVector<int64_t> shape(lhs->getShape());
  if (failed(broadcastInto(errors, shape, "lhs", *rhs, "rhs")))
    return failure();
  inferred.push_back(RankedTensorType::get(
      shape, resultElement ? resultElement : lhs->getElementType()));
  return success();
}

/// Checks a `[h, w]` window attribute: two entries, each >= `minimum`.
LogicalResult checkPair(const ShapeErrors &errors, ArrayRef<int64_t> values,
                        StringRef name, int64_t minimum) {
  if (values.size() != 2)
    return errors.fail(name, " must have 2 entries [h, w], got ",
                       values.size());
  for (int64_t v : values)
    if (v < minimum)
      return errors.fail(name, " entries must be >= ", minimum, ", got [",
                         values[0], ", ", values[1], "]");
  return success();
}

/// Output spatial size of a window op along dim `d` (0: H, 1: W), checking
/// that the window fits.
FailureOr<int64_t> windowOutput(const ShapeErrors &errors, int64_t in,
                                int64_t kernel, int64_t stride, int64_t padding,
                                int64_t dilation, StringRef dimName) {
  int64_t out = windowOutputSize(in, kernel, stride, padding, dilation);
  if (!ShapedType::isDynamic(out) && out < 1) {
    (void)errors.fail(
        "window of ", kernel,
        dilation == 1 ? std::string()
                      : " (dilation " + std::to_string(dilation) + ")",
        " does not fit input ", dimName, " ", in, " with padding ", padding);
    return failure();
  }
  return out;
}

} // namespace

LogicalResult mlir::clip::detail::verifyShapeRule(Operation *op) {
  auto inferable = llvm::cast<InferTypeOpInterface>(op);
  SmallVector<Type> inferred;
  if (failed(inferable.inferReturnTypes(
          op->getContext(), op->getLoc(), op->getOperands(),
          op->getAttrDictionary(), op->getPropertiesStorage(), op->getRegions(),
          inferred)))
    return failure();
  for (auto [index, declared, expected] :
       llvm::enumerate(op->getResultTypes(), inferred)) {
    if (declared != expected)
      return op->emitOpError("result #")
             << index << " is declared " << declared
             << " but the operands give " << expected;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Custom assembly: `: T` or `: (L, R) -> T` for broadcasting binary ops.
//===----------------------------------------------------------------------===//

static ParseResult parseBroadcastTypes(OpAsmParser &parser, Type &lhs,
                                       Type &rhs, Type &result) {
  if (succeeded(parser.parseOptionalLParen())) {
    if (parser.parseType(lhs) || parser.parseComma() || parser.parseType(rhs) ||
        parser.parseRParen() || parser.parseArrow() || parser.parseType(result))
      return failure();
    return success();
  }
  if (parser.parseType(lhs))
    return failure();
  rhs = result = lhs;
  return success();
}

static void printBroadcastTypes(OpAsmPrinter &printer, Operation *, Type lhs,
                                Type rhs, Type result) {
  if (lhs == rhs && rhs == result) {
    printer << lhs;
    return;
  }
  printer << '(' << lhs << ", " << rhs << ") -> " << result;
}

//===----------------------------------------------------------------------===//
// Sources.
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getName().empty())
    return emitOpError("parameter name must not be empty");
  if (!getType().hasStaticShape())
    return emitOpError("parameter '")
           << getName() << "' must have a static shape, got " << getType();
  return success();
}

void ParamOp::getAsmResultNames(OpAsmSetValueNameFn setName) {
  setName(getResult(), getName());
}

void InputOp::getAsmResultNames(OpAsmSetValueNameFn setName) {
  setName(getResult(), getName());
}

LogicalResult InputOp::verify() {
  if (getName().empty())
    return emitOpError("input name must not be empty");
  return success();
}

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto type = llvm::dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!type)
    return ShapeErrors{location, getOperationName()}.fail(
        "value must be a ranked tensor, got ", adaptor.getValue().getType());
  inferred.push_back(type);
  return success();
}

LogicalResult IotaOp::verify() {
  const int64_t rank = getType().getRank();
  if (static_cast<int64_t>(getDim()) >= rank)
    return emitOpError("dim ")
           << getDim() << " is out of range for result of rank " << rank;
  return success();
}

LogicalResult CausalMaskOp::verify() {
  ArrayRef<int64_t> shape = getType().getShape();
  if (shape.size() < 2)
    return emitOpError("result must have rank >= 2 (query, key), got rank ")
           << shape.size();
  int64_t queries = shape[shape.size() - 2], keys = shape.back();
  if (ShapedType::isDynamic(queries) || ShapedType::isDynamic(keys) ||
      queries != keys)
    return emitOpError("last two dims (query, key) must be static and equal, "
                       "got ")
           << formatShape({queries, keys});
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise.
//===----------------------------------------------------------------------===//

LogicalResult CastOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (in.getShape() != out.getShape())
    return emitOpError("result shape [")
           << formatShape(out.getShape()) << "] differs from input shape ["
           << formatShape(in.getShape()) << "]";
  return success();
}

#define CLIP_INFER_BINARY(OpClass)                                             \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> location, Adaptor adaptor,        \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBinary({location, getOperationName()}, adaptor.getLhs(),       \
                       adaptor.getRhs(), Type(), inferred);                    \
  }
CLIP_INFER_BINARY(AddOp)
CLIP_INFER_BINARY(SubOp)
CLIP_INFER_BINARY(MulOp)
CLIP_INFER_BINARY(DivOp)
CLIP_INFER_BINARY(MaxOp)
CLIP_INFER_BINARY(MinOp)
#undef CLIP_INFER_BINARY

LogicalResult CmpOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  return inferBinary({location, getOperationName()}, adaptor.getLhs(),
                     adaptor.getRhs(), IntegerType::get(context, 1), inferred);
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto cond = rankedTensor(errors, adaptor.getCondition(), "condition");
  auto onTrue = rankedTensor(errors, adaptor.getOnTrue(), "on_true");
  auto onFalse = rankedTensor(errors, adaptor.getOnFalse(), "on_false");
  if (failed(cond) || failed(onTrue) || failed(onFalse))
    return failure();
  if (failed(sameElementType(errors, *onTrue, "on_true", *onFalse, "on_false")))
    return failure();
  SmallVector<int64_t> shape(cond->getShape());
  if (failed(broadcastInto(errors, shape, "condition", *onTrue, "on_true")) ||
      failed(broadcastInto(errors, shape, "condition and on_true", *onFalse,
                           "on_false")))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, onTrue->getElementType()));
  return success();
}

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto input = rankedTensor(errors, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  inferred.push_back(*input);
  return success();
}

LogicalResult DropoutOp::verify() {
  const double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("rate must lie in [0, 1), got ") << rate;
  auto seed = cast<RankedTensorType>(getSeed().getType());
  if (seed.getRank() != 0 || !seed.getElementType().isInteger(64))
    return emitOpError("seed must be a rank-0 i64 tensor, got ") << seed;
  if (getStream() < 0 || getStream() > 0xffffffffLL)
    return emitOpError("stream must fit in 32 bits, got ") << getStream();
  return success();
}

//===----------------------------------------------------------------------===//
// Matmul.
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
mlir::clip::detail::inferMatmul(const ShapeErrors &errors, Value lhsValue,
                                Value rhsValue, bool transposeLhs,
                                bool transposeRhs) {
  auto lhs = rankedTensor(errors, lhsValue, "lhs");
  auto rhs = rankedTensor(errors, rhsValue, "rhs");
  if (failed(lhs) || failed(rhs))
    return failure();
  if (lhs->getRank() < 2 || rhs->getRank() < 2)
    return errors.fail("operands must have rank >= 2, got lhs ", shapeOf(*lhs),
                       " and rhs ", shapeOf(*rhs));
  if (failed(sameElementType(errors, *lhs, "lhs", *rhs, "rhs")))
    return failure();

  ArrayRef<int64_t> l = lhs->getShape(), r = rhs->getShape();
  const int64_t lr = l.size(), rr = r.size();
  // Positions of M, K in lhs and K, N in rhs after the optional transposes.
  const int64_t lhsK = transposeLhs ? lr - 2 : lr - 1;
  const int64_t m = transposeLhs ? l[lr - 1] : l[lr - 2];
  const int64_t rhsK = transposeRhs ? rr - 1 : rr - 2;
  const int64_t n = transposeRhs ? r[rr - 2] : r[rr - 1];
  const int64_t kl = l[lhsK], kr = r[rhsK];
  if (!ShapedType::isDynamic(kl) && !ShapedType::isDynamic(kr) && kl != kr)
    return errors.fail("contraction size of lhs ", shapeOf(*lhs), " (dim ",
                       lhsK, ": ", kl, ") does not match rhs ", shapeOf(*rhs),
                       " (dim ", rhsK, ": ", kr, ")");

  SmallVector<int64_t> batch;
  if (auto mismatch = broadcastShapes(l.drop_back(2), r.drop_back(2), batch))
    return errors.fail("batch dims of lhs ", shapeOf(*lhs), " and rhs ",
                       shapeOf(*rhs), " do not broadcast: dim ",
                       mismatch->lhsDim, " of lhs is ", mismatch->lhsSize,
                       " but dim ", mismatch->rhsDim, " of rhs is ",
                       mismatch->rhsSize);
  batch.push_back(m);
  batch.push_back(n);
  return RankedTensorType::get(batch, lhs->getElementType());
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> result = inferMatmul(
      ShapeErrors{location, getOperationName()}, adaptor.getLhs(),
      adaptor.getRhs(), adaptor.getTransposeLhs(), adaptor.getTransposeRhs());
  if (failed(result))
    return failure();
  inferred.push_back(*result);
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and softmax.
//===----------------------------------------------------------------------===//

/// Shape rule shared by the reductions: `axes` distinct and in range; reduced
/// dims dropped or kept as 1.
static LogicalResult inferReduction(const ShapeErrors &errors, Value input,
                                    ArrayRef<int64_t> axes, bool keepdims,
                                    Type resultElement,
                                    SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(errors, input, "input");
  if (failed(type))
    return failure();
  const int64_t rank = type->getRank();
  llvm::SmallSet<int64_t, 4> seen;
  for (int64_t axis : axes) {
    if (failed(checkAxis(errors, axis, rank, "axis", "input")))
      return failure();
    if (!seen.insert(axis).second)
      return errors.fail("axis ", axis, " appears more than once in axes");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!seen.contains(d))
      shape.push_back(type->getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(
      shape, resultElement ? resultElement : type->getElementType()));
  return success();
}

#define CLIP_INFER_REDUCE(OpClass)                                             \
  LogicalResult OpClass::inferReturnTypes(                                     \
      MLIRContext *, std::optional<Location> location, Adaptor adaptor,        \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferReduction({location, getOperationName()}, adaptor.getInput(),  \
                          adaptor.getAxes(), adaptor.getKeepdims(), Type(),    \
                          inferred);                                           \
  }
CLIP_INFER_REDUCE(ReduceSumOp)
CLIP_INFER_REDUCE(ReduceMeanOp)
CLIP_INFER_REDUCE(ReduceMaxOp)
#undef CLIP_INFER_REDUCE

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  int64_t axis = adaptor.getAxis();
  return inferReduction({location, getOperationName()}, adaptor.getInput(),
                        {axis}, adaptor.getKeepdims(),
                        IntegerType::get(context, 64), inferred);
}

LogicalResult SoftmaxOp::verify() {
  return checkAxis({getLoc(), getOperationName()}, getAxis(),
                   getType().getRank(), "axis", "input");
}

LogicalResult LogSoftmaxOp::verify() {
  return checkAxis({getLoc(), getOperationName()}, getAxis(),
                   getType().getRank(), "axis", "input");
}

//===----------------------------------------------------------------------===//
// Shape manipulation.
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto input = rankedTensor(errors, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> target = adaptor.getShape();
  int64_t inferredIndex = -1, knownCount = 1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == -1) {
      if (inferredIndex >= 0)
        return errors.fail("shape may contain -1 only once, got [",
                           formatList(target), "]");
      inferredIndex = i;
    } else if (d < 1) {
      return errors.fail("shape entry ", i, " must be positive or -1, got ", d);
    } else {
      knownCount *= d;
    }
  }
  SmallVector<int64_t> shape(target);
  std::optional<int64_t> inCount = staticElementCount(input->getShape());
  if (inferredIndex >= 0) {
    if (!inCount) {
      shape[inferredIndex] = ShapedType::kDynamic;
    } else if (*inCount % knownCount != 0) {
      return errors.fail("cannot reshape ", shapeOf(*input), " (", *inCount,
                         " elements) into a multiple of ", knownCount);
    } else {
      shape[inferredIndex] = *inCount / knownCount;
    }
  } else if (!inCount) {
    return errors.fail("shape [", formatList(target),
                       "] needs a -1 where input ", shapeOf(*input),
                       " has a dynamic dim");
  } else if (*inCount != knownCount) {
    return errors.fail("cannot reshape ", shapeOf(*input), " (", *inCount,
                       " elements) into [", formatList(target), "] (",
                       knownCount, " elements)");
  }
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto input = rankedTensor(errors, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  const int64_t rank = input->getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return errors.fail("permutation has ", perm.size(), " entries but input ",
                       shapeOf(*input), " has rank ", rank);
  SmallVector<bool> used(rank, false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || used[p])
      return errors.fail("[", formatList(perm), "] is not a permutation of 0..",
                         rank - 1);
    used[p] = true;
    shape.push_back(input->getDimSize(p));
  }
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

LogicalResult BroadcastOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type ")
           << out.getElementType() << " differs from input element type "
           << in.getElementType();
  int64_t badDim = 0;
  if (!isBroadcastableTo(in.getShape(), out.getShape(), badDim)) {
    if (badDim < 0)
      return emitOpError("input rank ")
             << in.getRank() << " exceeds result rank " << out.getRank();
    const int64_t outDim = out.getRank() - in.getRank() + badDim;
    return emitOpError("input dim ")
           << badDim << " (size " << formatShape(in.getDimSize(badDim))
           << ") cannot broadcast to result dim " << outDim << " (size "
           << formatShape(out.getDimSize(outDim)) << ")";
  }
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  if (adaptor.getInputs().empty())
    return errors.fail("needs at least one input");
  auto first = rankedTensor(errors, adaptor.getInputs()[0], "input #0");
  if (failed(first))
    return failure();
  const int64_t axis = adaptor.getAxis(), rank = first->getRank();
  if (failed(checkAxis(errors, axis, rank, "axis", "input #0")))
    return failure();
  SmallVector<int64_t> shape(first->getShape());
  for (auto [i, value] : llvm::enumerate(adaptor.getInputs().drop_front())) {
    const std::string name = "input #" + std::to_string(i + 1);
    auto type = rankedTensor(errors, value, name);
    if (failed(type))
      return failure();
    if (failed(sameElementType(errors, *type, name, *first, "input #0")))
      return failure();
    if (type->getRank() != rank)
      return errors.fail(name, " has rank ", type->getRank(),
                         " but input #0 has rank ", rank);
    for (int64_t d = 0; d < rank; ++d) {
      const int64_t size = type->getDimSize(d);
      if (d == axis) {
        shape[d] =
            ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(size)
                ? ShapedType::kDynamic
                : shape[d] + size;
      } else if (ShapedType::isDynamic(shape[d])) {
        shape[d] = size; // `?` is the batch: as in broadcasting, a size wins
      } else if (size != shape[d] && !ShapedType::isDynamic(size)) {
        return errors.fail(name, " ", shapeOf(*type), " differs from input #0 ",
                           shapeOf(*first), " in dim ", d,
                           ", which is not the concat axis ", axis);
      }
    }
  }
  inferred.push_back(RankedTensorType::get(shape, first->getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto input = rankedTensor(errors, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  const int64_t axis = adaptor.getAxis(), start = adaptor.getStart(),
                end = adaptor.getEnd(), step = adaptor.getStep();
  if (failed(checkAxis(errors, axis, input->getRank(), "axis", "input")))
    return failure();
  if (step < 1)
    return errors.fail("step must be >= 1, got ", step);
  if (start > end)
    return errors.fail("start ", start, " is after end ", end);
  const int64_t size = input->getDimSize(axis);
  if (!ShapedType::isDynamic(size) && end > size)
    return errors.fail("end ", end, " exceeds size ", size, " of dim ", axis,
                       " of input ", shapeOf(*input));
  SmallVector<int64_t> shape(input->getShape());
  shape[axis] = (end - start + step - 1) / step;
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto input = rankedTensor(errors, adaptor.getInput(), "input");
  auto indices = rankedTensor(errors, adaptor.getIndices(), "indices");
  if (failed(input) || failed(indices))
    return failure();
  const int64_t axis = adaptor.getAxis(), batchDims = adaptor.getBatchDims();
  if (failed(checkAxis(errors, axis, input->getRank(), "axis", "input")))
    return failure();
  if (batchDims > axis)
    return errors.fail("batch_dims ", batchDims, " must not exceed axis ",
                       axis);
  if (batchDims > indices->getRank())
    return errors.fail("batch_dims ", batchDims,
                       " exceeds the rank of indices ", shapeOf(*indices));
  for (int64_t d = 0; d < batchDims; ++d) {
    int64_t a = input->getDimSize(d), b = indices->getDimSize(d);
    if (a != b && !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b))
      return errors.fail("batch dim ", d, " of input ", shapeOf(*input), " is ",
                         a, " but of indices ", shapeOf(*indices), " is ", b);
  }
  SmallVector<int64_t> shape(input->getShape().take_front(axis));
  llvm::append_range(shape, indices->getShape().drop_front(batchDims));
  llvm::append_range(shape, input->getShape().drop_front(axis + 1));
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution, pooling, batch norm.
//===----------------------------------------------------------------------===//

SmallVector<int64_t, 2> Conv2DOp::getDilationOrDefault() {
  if (auto dilation = getDilation())
    return SmallVector<int64_t, 2>(*dilation);
  return {1, 1};
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto input = rankedTensor(errors, adaptor.getInput(), "input");
  auto weight = rankedTensor(errors, adaptor.getWeight(), "weight");
  if (failed(input) || failed(weight))
    return failure();
  if (input->getRank() != 4)
    return errors.fail("input must be [N, C, H, W], got ", shapeOf(*input));
  if (weight->getRank() != 4)
    return errors.fail("weight must be [O, C/groups, kH, kW], got ",
                       shapeOf(*weight));
  if (!weight->hasStaticShape())
    return errors.fail("weight must have a static shape, got ",
                       shapeOf(*weight));
  if (failed(sameElementType(errors, *input, "input", *weight, "weight")))
    return failure();
  SmallVector<int64_t, 2> dilation{1, 1};
  if (auto given = adaptor.getDilation())
    dilation.assign(given->begin(), given->end());
  if (failed(checkPair(errors, adaptor.getStride(), "stride", 1)) ||
      failed(checkPair(errors, adaptor.getPadding(), "padding", 0)) ||
      failed(checkPair(errors, dilation, "dilation", 1)))
    return failure();
  const int64_t groups = adaptor.getGroups();
  const int64_t channels = input->getDimSize(1), out = weight->getDimSize(0);
  if (!ShapedType::isDynamic(channels) &&
      channels != weight->getDimSize(1) * groups)
    return errors.fail("input has ", channels, " channels but weight ",
                       shapeOf(*weight), " with groups ", groups, " expects ",
                       weight->getDimSize(1) * groups);
  if (out % groups != 0)
    return errors.fail("weight has ", out,
                       " output channels, not divisible by groups ", groups);
  if (Value biasValue = adaptor.getBias()) {
    auto bias = rankedTensor(errors, biasValue, "bias");
    if (failed(bias))
      return failure();
    if (bias->getRank() != 1 || bias->getDimSize(0) != out)
      return errors.fail("bias must be [", out, "], got ", shapeOf(*bias));
    if (failed(sameElementType(errors, *bias, "bias", *input, "input")))
      return failure();
  }
  ArrayRef<int64_t> stride = adaptor.getStride(),
                    padding = adaptor.getPadding();
  auto h = windowOutput(errors, input->getDimSize(2), weight->getDimSize(2),
                        stride[0], padding[0], dilation[0], "height");
  if (failed(h))
    return failure();
  auto w = windowOutput(errors, input->getDimSize(3), weight->getDimSize(3),
                        stride[1], padding[1], dilation[1], "width");
  if (failed(w))
    return failure();
  inferred.push_back(RankedTensorType::get({input->getDimSize(0), out, *h, *w},
                                           input->getElementType()));
  return success();
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto input = rankedTensor(errors, adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  if (input->getRank() != 4)
    return errors.fail("input must be [N, C, H, W], got ", shapeOf(*input));
  ArrayRef<int64_t> kernel = adaptor.getKernel(), stride = adaptor.getStride(),
                    padding = adaptor.getPadding();
  if (failed(checkPair(errors, kernel, "kernel", 1)) ||
      failed(checkPair(errors, stride, "stride", 1)) ||
      failed(checkPair(errors, padding, "padding", 0)))
    return failure();
  for (int i = 0; i < 2; ++i)
    if (2 * padding[i] > kernel[i])
      return errors.fail("padding ", padding[i],
                         " must be at most half the kernel ", kernel[i]);
  auto h = windowOutput(errors, input->getDimSize(2), kernel[0], stride[0],
                        padding[0], 1, "height");
  if (failed(h))
    return failure();
  auto w = windowOutput(errors, input->getDimSize(3), kernel[1], stride[1],
                        padding[1], 1, "width");
  if (failed(w))
    return failure();
  inferred.push_back(RankedTensorType::get(
      {input->getDimSize(0), input->getDimSize(1), *h, *w},
      input->getElementType()));
  return success();
}

/// Shape rule shared by both batch norms: per-channel operands are [C].
static LogicalResult inferBatchNorm(const ShapeErrors &errors, Value inputValue,
                                    ValueRange perChannel,
                                    SmallVectorImpl<Type> &inferred,
                                    bool withRunningStats) {
  static constexpr StringLiteral names[] = {"scale", "bias", "running_mean",
                                            "running_var"};
  auto input = rankedTensor(errors, inputValue, "input");
  if (failed(input))
    return failure();
  if (input->getRank() < 2)
    return errors.fail("input must be [N, C, ...], got ", shapeOf(*input));
  const int64_t channels = input->getDimSize(1);
  if (ShapedType::isDynamic(channels))
    return errors.fail("input channel dim 1 must be static, got ",
                       shapeOf(*input));
  for (auto [value, name] : llvm::zip(perChannel, names)) {
    auto type = rankedTensor(errors, value, name);
    if (failed(type))
      return failure();
    if (type->getRank() != 1 || type->getDimSize(0) != channels)
      return errors.fail(name, " must be [", channels,
                         "] (the channels of input ", shapeOf(*input),
                         "), got ", shapeOf(*type));
    if (failed(sameElementType(errors, *type, name, *input, "input")))
      return failure();
  }
  inferred.push_back(*input);
  if (withRunningStats) {
    inferred.push_back(perChannel[2].getType());
    inferred.push_back(perChannel[3].getType());
  }
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferBatchNorm({location, getOperationName()}, adaptor.getInput(),
                        adaptor.getOperands().drop_front(), inferred,
                        /*withRunningStats=*/false);
}

LogicalResult BatchNormTrainOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferBatchNorm({location, getOperationName()}, adaptor.getInput(),
                        adaptor.getOperands().drop_front(), inferred,
                        /*withRunningStats=*/true);
}

#include "clip/IR/ClipEnums.cpp.inc"

#define GET_OP_CLASSES
#include "clip/IR/ClipOps.cpp.inc"

bool mlir::clip::keepsFullPrecision(OpResult result) {
  auto type = dyn_cast<RankedTensorType>(result.getType());
  if (!type || type.getRank() == 0)
    return true;
  const unsigned n = result.getResultNumber();
  Operation *op = result.getOwner();
  return llvm::TypeSwitch<Operation *, bool>(op)
      .Case([&](LayerNormOp) { return n >= 1; })      // mean, rstd
      .Case([&](AddLayerNormOp) { return n >= 2; })   // mean, rstd
      .Case([&](AttentionOp) { return n == 1; })      // lse
      .Case([&](BatchNormTrainOp) { return n >= 1; }) // statistics
      .Case([&](LayerNormGradOp) { return n >= 1; })  // weight, bias grads
      .Case([&](Conv2DGradOp) { return n == 1; })     // weight grad
      .Case<ContrastiveLossOp, ContrastiveLossGradOp, SigmoidLossOp,
            SigmoidLossGradOp, ReduceSumOp, ReduceMeanOp,
            ReduceMaxOp, SoftmaxOp, LogSoftmaxOp, GatherGradOp>(
          [](Operation *) { return true; })
      .Default([](Operation *) { return false; });
}

bool mlir::clip::takesBf16Operand(OpOperand &operand) {
  const unsigned n = operand.getOperandNumber();
  return llvm::TypeSwitch<Operation *, bool>(operand.getOwner())
      .Case<GemmOp, MatmulOp, Conv2DOp>([&](Operation *) { return n <= 1; })
      .Case<Conv2DGradOp, AttentionOp>([&](Operation *) { return n <= 2; })
      .Case([&](AttentionGradOp) { return n <= 4; }) // not lse
      .Default([](Operation *) { return false; });
}
