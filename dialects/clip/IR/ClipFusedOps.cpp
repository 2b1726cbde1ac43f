//===- ClipFusedOps.cpp - Shape rules of the fused clip ops ---------------===//

#include "clip/IR/ClipOps.h"
#include "clip/IR/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using namespace mlir::clip;

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
    return emitOptionalError(location, "'", getOperationName(),
                             "' op residual type ",
                             adaptor.getResidual().getType(),
                             " must equal input type ",
                             adaptor.getInput().getType());
  inferred.push_back(adaptor.getInput().getType());
  return inferLayerNorm(location, getOperationName(), adaptor.getInput(),
                        adaptor.getWeight(), adaptor.getBias(), inferred);
}
