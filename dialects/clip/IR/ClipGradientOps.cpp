//===- ClipGradientOps.cpp - Verifiers of the gradient ops ----------------===//

#include "clip/IR/ClipOps.h"
#include "clip/IR/ShapeErrors.h"
#include "clip/IR/ShapeRules.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::detail;

LogicalResult SliceGradOp::verify() {
  auto grad = cast<RankedTensorType>(getGrad().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  const int64_t axis = getAxis();
  if (grad.getRank() != result.getRank() ||
      grad.getElementType() != result.getElementType())
    return emitOpError("grad ") << grad << " and result " << result
                                << " must have the same rank and element type";
  if (axis >= result.getRank())
    return emitOpError("axis ")
           << axis << " is out of range for rank " << result.getRank();
  const int64_t size = result.getDimSize(axis);
  const int64_t start = getStart(), end = getEnd(), step = getStep();
  if (ShapedType::isDynamic(size) || start > end || end > size)
    return emitOpError("slice [")
           << start << ", " << end << ") does not fit dim " << axis
           << " of the result " << result;
  const int64_t expected = (end - start + step - 1) / step;
  for (int64_t d = 0; d < result.getRank(); ++d) {
    const int64_t want = d == axis ? expected : result.getDimSize(d);
    if (grad.getDimSize(d) != want)
      return emitOpError("grad ")
             << grad << " is not the slice of the result " << result << ": dim "
             << d << " should be " << want;
  }
  return success();
}

LogicalResult GatherGradOp::verify() {
  auto grad = cast<RankedTensorType>(getGrad().getType());
  auto indices = cast<RankedTensorType>(getIndices().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  const int64_t axis = getAxis(), batchDims = getBatchDims();
  if (axis >= result.getRank() || batchDims > axis ||
      batchDims > indices.getRank())
    return emitOpError("axis ")
           << axis << " / batch_dims " << batchDims << " do not fit result "
           << result << " and indices " << indices;
  // grad must be what clip.gather of the result would give.
  SmallVector<int64_t> shape(result.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape().drop_front(batchDims));
  llvm::append_range(shape, result.getShape().drop_front(axis + 1));
  auto expected = RankedTensorType::get(shape, result.getElementType());
  if (grad != expected)
    return emitOpError("grad is ")
           << grad << " but gathering from " << result << " gives " << expected;
  return success();
}

LogicalResult LayerNormGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  auto input = rankedTensor(errors, adaptor.getInput(), "input");
  auto weight = rankedTensor(errors, adaptor.getWeight(), "weight");
  if (failed(input) || failed(weight))
    return failure();
  if (adaptor.getGrad().getType() != *input)
    return errors.fail("grad ", adaptor.getGrad().getType(),
                       " must have the input type ", *input);
  SmallVector<int64_t> stats(input->getShape());
  if (stats.empty() || weight->getRank() != 1 ||
      weight->getDimSize(0) != stats.back())
    return errors.fail("weight ", *weight, " must be [W] for input ", *input);
  stats.back() = 1;
  auto statsType = RankedTensorType::get(stats, input->getElementType());
  if (adaptor.getMean().getType() != statsType ||
      adaptor.getRstd().getType() != statsType)
    return errors.fail("mean and rstd must be ", statsType);
  inferred.append({*input, *weight, *weight});
  return success();
}

LogicalResult AttentionGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  // The forward op's own rule checks q, k, v and gives output and lse.
  SmallVector<Type> forward;
  AttentionOp::Properties properties;
  properties.causal = adaptor.getProperties().causal;
  properties.scale = adaptor.getProperties().scale;
  Value operands[] = {adaptor.getQuery(), adaptor.getKey(),
                      adaptor.getValue()};
  AttentionOp::Adaptor fwd(ValueRange(operands), nullptr, properties);
  if (failed(AttentionOp::inferReturnTypes(nullptr, location, fwd, forward)))
    return failure();
  if (adaptor.getOutput().getType() != forward[0] ||
      adaptor.getGrad().getType() != forward[0])
    return errors.fail("grad and output must be ", forward[0]);
  if (adaptor.getLse().getType() != forward[1])
    return errors.fail("lse must be ", forward[1]);
  inferred.append({adaptor.getQuery().getType(), adaptor.getKey().getType(),
                   adaptor.getValue().getType()});
  return success();
}

LogicalResult ContrastiveLossGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  SmallVector<Type> forward;
  ContrastiveLossOp::Properties properties;
  properties.epsilon = adaptor.getProperties().epsilon;
  Value operands[] = {adaptor.getImage(), adaptor.getText(),
                      adaptor.getLogitScale()};
  ContrastiveLossOp::Adaptor fwd(ValueRange(operands), nullptr, properties);
  if (failed(
          ContrastiveLossOp::inferReturnTypes(nullptr, location, fwd, forward)))
    return failure();
  Value saved[] = {adaptor.getGrad(), adaptor.getImageNorm(),
                   adaptor.getTextNorm(), adaptor.getImageLse(),
                   adaptor.getTextLse()};
  for (auto [value, expected] : llvm::zip(saved, forward))
    if (value.getType() != expected)
      return errors.fail("saved value ", value.getType(), " must be ",
                         expected);
  inferred.append({adaptor.getImage().getType(), adaptor.getText().getType(),
                   adaptor.getLogitScale().getType()});
  return success();
}

LogicalResult SigmoidLossGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  SmallVector<Type> forward;
  SigmoidLossOp::Properties properties;
  properties.epsilon = adaptor.getProperties().epsilon;
  Value operands[] = {adaptor.getImage(), adaptor.getText(),
                      adaptor.getLogitScale(), adaptor.getLogitBias()};
  SigmoidLossOp::Adaptor fwd(ValueRange(operands), nullptr, properties);
  if (failed(SigmoidLossOp::inferReturnTypes(nullptr, location, fwd, forward)))
    return failure();
  Value saved[] = {adaptor.getGrad(), adaptor.getImageNorm(),
                   adaptor.getTextNorm()};
  for (auto [value, expected] : llvm::zip(saved, forward))
    if (value.getType() != expected)
      return errors.fail("saved value ", value.getType(), " must be ",
                         expected);
  inferred.append({adaptor.getImage().getType(), adaptor.getText().getType(),
                   adaptor.getLogitScale().getType(),
                   adaptor.getLogitBias().getType()});
  return success();
}

LogicalResult Conv2DGradOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  ShapeErrors errors{location, getOperationName()};
  // The forward's rule checks input and weight and gives the output type.
  Conv2DOp::Properties properties;
  properties.stride = adaptor.getProperties().stride;
  properties.padding = adaptor.getProperties().padding;
  properties.dilation = adaptor.getProperties().dilation;
  properties.groups = adaptor.getProperties().groups;
  SmallVector<Type> forward;
  Value operands[] = {adaptor.getInput(), adaptor.getWeight()};
  Conv2DOp::Adaptor fwd(ValueRange(operands), nullptr, properties);
  if (failed(Conv2DOp::inferReturnTypes(nullptr, location, fwd, forward)))
    return failure();
  if (adaptor.getGrad().getType() != forward[0])
    return errors.fail("grad ", adaptor.getGrad().getType(),
                       " must have the convolution's result type ", forward[0]);
  inferred.append(
      {adaptor.getInput().getType(), adaptor.getWeight().getType()});
  return success();
}

LogicalResult AvgPool2DGradOp::verify() {
  SmallVector<Type> forward;
  AvgPool2DOp::Properties properties;
  properties.kernel = getKernelAttr();
  properties.stride = getStrideAttr();
  properties.padding = getPaddingAttr();
  // A value of the result type stands in for the pooled input.
  Value operands[] = {getResult()};
  AvgPool2DOp::Adaptor fwd(ValueRange(operands), nullptr, properties);
  if (failed(
          AvgPool2DOp::inferReturnTypes(getContext(), getLoc(), fwd, forward)))
    return failure();
  if (getGrad().getType() != forward[0])
    return emitOpError("grad ")
           << getGrad().getType() << " is not what pooling "
           << getResult().getType() << " gives: " << forward[0];
  return success();
}
