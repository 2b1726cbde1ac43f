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
    return emitOpError("grad ")
           << grad << " and result " << result
           << " must have the same rank and element type";
  if (axis >= result.getRank())
    return emitOpError("axis ") << axis << " is out of range for rank "
                                << result.getRank();
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
             << grad << " is not the slice of the result " << result
             << ": dim " << d << " should be " << want;
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
           << axis << " / batch_dims " << batchDims
           << " do not fit result " << result << " and indices " << indices;
  // grad must be what clip.gather of the result would give.
  SmallVector<int64_t> shape(result.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape().drop_front(batchDims));
  llvm::append_range(shape, result.getShape().drop_front(axis + 1));
  auto expected = RankedTensorType::get(shape, result.getElementType());
  if (grad != expected)
    return emitOpError("grad is ")
           << grad << " but gathering from " << result << " gives "
           << expected;
  return success();
}
