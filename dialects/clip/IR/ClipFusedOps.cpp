//===- ClipFusedOps.cpp - Shape rules and verifiers of the fused ops ------===//

#include "clip/IR/ClipOps.h"
#include "clip/IR/ShapeErrors.h"
#include "clip/IR/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::detail;

namespace {

/// Shape rule of both layer norms: input [..., W] (W static), weight and
/// bias [W] of the input's element type. Pushes result, mean, rstd.
LogicalResult inferLayerNorm(std::optional<Location> loc, StringRef opName,
                             Value inputValue, Value weight, Value bias,
                             SmallVectorImpl<Type> &inferred) {
  auto fail = [&](auto &&...args) {
    return emitOptionalError(loc, "'", opName, "' op ", args...);
  };
  auto input = dyn_cast<RankedTensorType>(inputValue.getType());
  if (!input || input.getRank() < 1)
    return fail("input must be a ranked tensor of rank >= 1");
  const int64_t width = input.getShape().back();
  if (ShapedType::isDynamic(width))
    return fail("the normalized (last) dim of input must be static, got [",
                formatShape(input.getShape()), "]");
  for (auto [value, name] : {std::pair{weight, "weight"}, {bias, "bias"}}) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || type.getRank() != 1 || type.getDimSize(0) != width)
      return fail(name, " must be [", width, "] (the last dim of input [",
                  formatShape(input.getShape()), "]), got ", value.getType());
    if (type.getElementType() != input.getElementType())
      return fail(name, " element type ", type.getElementType(),
                  " does not match input element type ",
                  input.getElementType());
  }
  SmallVector<int64_t> statsShape(input.getShape());
  statsShape.back() = 1;
  auto stats = RankedTensorType::get(statsShape, input.getElementType());
  inferred.append({input, stats, stats});
  return success();
}

} // namespace

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferLayerNorm(location, getOperationName(), adaptor.getInput(),
                        adaptor.getWeight(), adaptor.getBias(), inferred);
}

LogicalResult AddLayerNormOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInput().getType() != adaptor.getResidual().getType())
    return emitOptionalError(
        location, "'", getOperationName(), "' op residual type ",
        adaptor.getResidual().getType(), " must equal input type ",
        adaptor.getInput().getType());
  inferred.push_back(adaptor.getInput().getType());
  return inferLayerNorm(location, getOperationName(), adaptor.getInput(),
                        adaptor.getWeight(), adaptor.getBias(), inferred);
}

//===----------------------------------------------------------------------===//
// clip.attention
//===----------------------------------------------------------------------===//

namespace {

/// `a` and `b` agree on a dim (`?` agrees with anything); the known one.
std::optional<int64_t> mergeDim(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a))
    return b;
  if (ShapedType::isDynamic(b) || a == b)
    return a;
  return std::nullopt;
}

/// The element type of the log-sum-exp statistics: at least f32.
Type statisticsType(Type element) {
  if (element.isF16() || element.isBF16())
    return Float32Type::get(element.getContext());
  return element;
}

} // namespace

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto q = rankedTensor(errors, adaptor.getQuery(), "query");
  auto k = rankedTensor(errors, adaptor.getKey(), "key");
  auto v = rankedTensor(errors, adaptor.getValue(), "value");
  if (failed(q) || failed(k) || failed(v))
    return failure();
  if (q->getRank() < 2 || k->getRank() != q->getRank() ||
      v->getRank() != q->getRank())
    return errors.fail("query, key and value must have the same rank >= 2, "
                       "got ",
                       shapeOf(*q), ", ", shapeOf(*k), " and ", shapeOf(*v));
  if (failed(sameElementType(errors, *q, "query", *k, "key")) ||
      failed(sameElementType(errors, *q, "query", *v, "value")))
    return failure();
  const int64_t rank = q->getRank();
  ArrayRef<int64_t> qs = q->getShape(), ks = k->getShape(), vs = v->getShape();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank - 2; ++d) {
    std::optional<int64_t> dim = mergeDim(qs[d], ks[d]);
    if (dim)
      dim = mergeDim(*dim, vs[d]);
    if (!dim)
      return errors.fail("leading dim ", d, " differs: query ", shapeOf(*q),
                         ", key ", shapeOf(*k), ", value ", shapeOf(*v));
    shape.push_back(*dim);
  }
  if (!mergeDim(qs[rank - 1], ks[rank - 1]))
    return errors.fail("query ", shapeOf(*q), " and key ", shapeOf(*k),
                       " must have the same head size (last dim)");
  if (!mergeDim(ks[rank - 2], vs[rank - 2]))
    return errors.fail("key ", shapeOf(*k), " and value ", shapeOf(*v),
                       " must have the same length (dim ", rank - 2, ")");
  if (adaptor.getCausal() && !mergeDim(qs[rank - 2], ks[rank - 2]))
    return errors.fail("causal attention needs as many queries as keys, got "
                       "query ",
                       shapeOf(*q), " and key ", shapeOf(*k));
  shape.push_back(qs[rank - 2]);
  auto lse = RankedTensorType::get(shape, statisticsType(q->getElementType()));
  shape.push_back(vs[rank - 1]);
  inferred.push_back(RankedTensorType::get(shape, q->getElementType()));
  inferred.push_back(lse);
  return success();
}

//===----------------------------------------------------------------------===//
// clip.contrastive_loss
//===----------------------------------------------------------------------===//

/// The two losses' operands: image and text [N, D] of one type, a scalar
/// log-scale of their element type. Appends the results both losses start
/// with (the scalar loss, the image and text norms [N, 1]) and returns the
/// norms' type.
static FailureOr<RankedTensorType>
inferLossOperands(ShapeErrors &errors, Value imageValue, Value textValue,
                  Value scaleValue, SmallVectorImpl<Type> &inferred) {
  auto image = rankedTensor(errors, imageValue, "image");
  auto text = rankedTensor(errors, textValue, "text");
  auto scale = rankedTensor(errors, scaleValue, "logit_scale");
  if (failed(image) || failed(text) || failed(scale))
    return failure();
  if (image->getRank() != 2 || *image != *text)
    return errors.fail("image and text must be [N, D] of one type, got ",
                       *image, " and ", *text);
  if (scale->getRank() != 0 ||
      scale->getElementType() != image->getElementType())
    return errors.fail("logit_scale must be a scalar of the embeddings' "
                       "element type, got ",
                       *scale);
  auto norm = RankedTensorType::get({image->getDimSize(0), 1},
                                    statisticsType(image->getElementType()));
  inferred.append({RankedTensorType::get({}, image->getElementType()), norm,
                   norm});
  return norm;
}

LogicalResult ContrastiveLossOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  FailureOr<RankedTensorType> norm =
      inferLossOperands(errors, adaptor.getImage(), adaptor.getText(),
                        adaptor.getLogitScale(), inferred);
  if (failed(norm))
    return failure();
  auto lse = RankedTensorType::get({norm->getDimSize(0)},
                                   norm->getElementType());
  inferred.append({lse, lse});
  return success();
}

//===----------------------------------------------------------------------===//
// clip.sigmoid_loss
//===----------------------------------------------------------------------===//

LogicalResult SigmoidLossOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  if (failed(inferLossOperands(errors, adaptor.getImage(), adaptor.getText(),
                               adaptor.getLogitScale(), inferred)))
    return failure();
  if (adaptor.getLogitBias().getType() != adaptor.getLogitScale().getType())
    return errors.fail("logit_bias must be a scalar like logit_scale, got ",
                       adaptor.getLogitBias().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// clip.gemm
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  FailureOr<RankedTensorType> result =
      inferMatmul(errors, adaptor.getLhs(), adaptor.getRhs(),
                  adaptor.getTransposeLhs(), adaptor.getTransposeRhs());
  if (failed(result))
    return failure();
  if (Value biasValue = adaptor.getBias()) {
    auto bias = rankedTensor(errors, biasValue, "bias");
    if (failed(bias))
      return failure();
    const int64_t n = result->getShape().back();
    if (bias->getRank() != 1 || !mergeDim(bias->getDimSize(0), n) ||
        bias->getElementType() != result->getElementType())
      return errors.fail("bias must be [", n, "] of ", result->getElementType(),
                         " (the result's last dim), "
                         "got ",
                         *bias);
  }
  if (Value residual = adaptor.getResidual();
      residual && residual.getType() != *result)
    return errors.fail("residual must have the result type ", *result, ", got ",
                       residual.getType());
  inferred.push_back(*result);
  return success();
}

//===----------------------------------------------------------------------===//
// clip.elementwise
//===----------------------------------------------------------------------===//

bool ElementwiseOp::isFusible(Operation *op) {
  if (isPointwise(op) && !isa<ElementwiseOp>(op))
    return true;
  // A scalar constant is folded into the kernel; a tensor one is an input.
  auto constant = dyn_cast<ConstantOp>(op);
  return constant && cast<ShapedType>(constant.getType()).getNumElements() == 1;
}

LogicalResult ElementwiseOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("body has ")
           << body.getNumArguments() << " arguments for " << getInputs().size()
           << " inputs";
  for (auto [index, arg, input] :
       llvm::enumerate(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("body argument #")
             << index << " has type " << arg.getType() << " but input #"
             << index << " is " << input.getType();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end with clip.yield");
  if (getNumResults() == 0)
    return emitOpError("must have at least one result");
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().getTypes() << " but its results are "
           << getResultTypes();
  for (Operation &op : body.without_terminator())
    if (!isFusible(&op))
      return op.emitOpError("is not elementwise and cannot be in the body of "
                            "'clip.elementwise'");
  return success();
}

//===----------------------------------------------------------------------===//
// Result names.
//===----------------------------------------------------------------------===//

void LayerNormOp::getAsmResultNames(OpAsmSetValueNameFn setName) {
  setName(getResult(), "ln");
  setName(getMean(), "ln_mean");
  setName(getRstd(), "ln_rstd");
}

void AddLayerNormOp::getAsmResultNames(OpAsmSetValueNameFn setName) {
  setName(getSum(), "stream");
  setName(getResult(), "ln");
  setName(getMean(), "ln_mean");
  setName(getRstd(), "ln_rstd");
}

void AttentionOp::getAsmResultNames(OpAsmSetValueNameFn setName) {
  setName(getResult(), "attn");
  setName(getLse(), "attn_lse");
}

void GemmOp::getAsmResultNames(OpAsmSetValueNameFn setName) {
  setName(getResult(), "gemm");
}

void ElementwiseOp::getAsmResultNames(OpAsmSetValueNameFn setName) {
  if (getNumResults())
    setName(getResult(0), "fused");
}
