//===- GradientSweep.cpp - The reverse-mode sweep over a list of ops ------===//

#include "clip/IR/GradientSweep.h"

#include "clip/IR/ClipOps.h"

using namespace mlir;
using namespace mlir::clip;

void GradientSweep::accumulate(Value value, Value gradient) {
  Value &slot = gradients[value];
  slot = slot
             ? builder.create<AddOp>(value.getLoc(), slot, gradient).getResult()
             : gradient;
}

LogicalResult GradientSweep::backward(Operation *op) {
  SmallVector<Value> resultGradients;
  bool any = false;
  for (Value r : op->getResults()) {
    resultGradients.push_back(gradients.lookup(r));
    any |= bool(resultGradients.back());
  }
  if (!any || llvm::none_of(op->getOperands(), wantsGradient))
    return success();
  auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
  if (!differentiable)
    return op->emitOpError("has no gradient rule; clip-autodiff cannot "
                           "differentiate through it yet");
  SmallVector<Value> operandGradients;
  if (failed(differentiable.buildGradients(builder, resultGradients,
                                           operandGradients)))
    return failure();
  for (auto [operand, gradient] :
       llvm::zip(op->getOperands(), operandGradients))
    if (gradient && wantsGradient(operand))
      accumulate(operand, gradient);
  return success();
}

LogicalResult GradientSweep::backward(ArrayRef<Operation *> ops) {
  for (Operation *op : llvm::reverse(ops))
    if (failed(backward(op)))
      return failure();
  return success();
}
