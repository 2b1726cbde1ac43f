//===- ClipFusedGradients.cpp - Gradient rules of the fused ops -----------===//
//
// Fused ops differentiate into fused backward ops (layer_norm_grad,
// attention_grad, contrastive_loss_grad) that reuse what the forward saved;
// a GEMM's epilogue is undone step by step; an elementwise group
// recomputes its body and applies the body ops' own rules (the result is
// grouped again by clip-fuse-elementwise).
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipOps.h"
#include "clip/IR/GradientHelpers.h"
#include "clip/IR/GradientSweep.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::detail;

namespace {
/// Fused ops return statistics for their backward; nothing may be
/// differentiated through those.
LogicalResult onlyFirstResults(Operation *op, ArrayRef<Value> resultGradients,
                               size_t differentiable) {
  for (size_t i = differentiable; i < resultGradients.size(); ++i)
    if (resultGradients[i])
      return op->emitOpError("result #")
             << i << " is a saved statistic; no gradient can flow through it";
  return success();
}
/// The rule of a fused op whose first result alone is differentiable and
/// whose backward op (built by `build` from that result's gradient) returns
/// one gradient per operand.
LogicalResult viaBackwardOp(Operation *op, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients,
                            llvm::function_ref<Operation *(Value)> build) {
  operandGradients.assign(op->getNumOperands(), Value());
  if (failed(onlyFirstResults(op, resultGradients, 1)))
    return failure();
  if (Value g = resultGradients[0]) {
    ResultRange grads = build(g)->getResults();
    operandGradients.assign(grads.begin(), grads.end());
  }
  return success();
}
} // namespace

LogicalResult
LayerNormOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients) {
  return viaBackwardOp(*this, resultGradients, operandGradients, [&](Value g) {
    return b.create<LayerNormGradOp>(getLoc(), g, getInput(), getMean(),
                                     getRstd(), getWeight());
  });
}

LogicalResult
AddLayerNormOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                               SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(4, Value());
  if (failed(onlyFirstResults(*this, resultGradients, 2)))
    return failure();
  // The sum feeds both the norm and the residual stream.
  Value sumGrad = resultGradients[0];
  if (Value g = resultGradients[1]) {
    auto grad = b.create<LayerNormGradOp>(getLoc(), g, getSum(), getMean(),
                                          getRstd(), getWeight());
    sumGrad = sumGrad ? b.create<AddOp>(getLoc(), sumGrad, grad.getInputGrad())
                            .getResult()
                      : grad.getInputGrad();
    operandGradients[2] = grad.getWeightGrad();
    operandGradients[3] = grad.getBiasGrad();
  }
  operandGradients[0] = operandGradients[1] = sumGrad;
  return success();
}

LogicalResult
AttentionOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                            SmallVectorImpl<Value> &operandGradients) {
  return viaBackwardOp(*this, resultGradients, operandGradients, [&](Value g) {
    return b.create<AttentionGradOp>(getLoc(), g, getQuery(), getKey(),
                                     getValue(), getResult(), getLse(),
                                     getScaleAttr(), getCausalAttr());
  });
}

LogicalResult
ContrastiveLossOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                                  SmallVectorImpl<Value> &operandGradients) {
  return viaBackwardOp(*this, resultGradients, operandGradients, [&](Value g) {
    return b.create<ContrastiveLossGradOp>(
        getLoc(), g, getImage(), getText(), getLogitScale(), getImageNorm(),
        getTextNorm(), getImageLse(), getTextLse(), getEpsilonAttr());
  });
}

LogicalResult
SigmoidLossOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                              SmallVectorImpl<Value> &operandGradients) {
  return viaBackwardOp(*this, resultGradients, operandGradients, [&](Value g) {
    return b.create<SigmoidLossGradOp>(getLoc(), g, getImage(), getText(),
                                       getLogitScale(), getLogitBias(),
                                       getImageNorm(), getTextNorm(),
                                       getEpsilonAttr());
  });
}

LogicalResult GemmOp::buildGradients(OpBuilder &b,
                                     ArrayRef<Value> resultGradients,
                                     SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(getNumOperands(), Value());
  Value g = resultGradients[0];
  if (!g)
    return success();
  Location loc = getLoc();
  // Operands are lhs, rhs, then the optional bias and residual.
  const unsigned biasIndex = 2, residualIndex = getBias() ? 3 : 2;
  if (getResidual())
    operandGradients[residualIndex] = g;
  // Through the activation: its input is recomputed (the product and bias
  // without the rest of the epilogue); remat policies may save it instead.
  if (getActivation() != Activation::none) {
    Value preActivation =
        b.create<GemmOp>(loc, getType(), getLhs(), getRhs(), getBias(), Value(),
                         getTransposeLhsAttr(), getTransposeRhsAttr(),
                         ActivationAttr::get(getContext(), Activation::none));
    GeluApproximation approximation =
        getActivation() == Activation::gelu        ? GeluApproximation::none
        : getActivation() == Activation::gelu_tanh ? GeluApproximation::tanh
                                                   : GeluApproximation::quick;
    g = b.create<GeluGradOp>(loc, preActivation, g, approximation);
  }
  if (getBias())
    operandGradients[biasIndex] = sumToType(b, loc, g, getBias().getType());
  auto [dl, dr] = matmulGradients(b, loc, getLhs(), getRhs(), getTransposeLhs(),
                                  getTransposeRhs(), g);
  operandGradients[0] = dl;
  operandGradients[1] = dr;
  return success();
}

LogicalResult
ElementwiseOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGradients,
                              SmallVectorImpl<Value> &operandGradients) {
  operandGradients.assign(getNumOperands(), Value());
  // Recompute the body outside the group, reading the inputs directly.
  Block &body = getBody().front();
  IRMapping mapping;
  mapping.map(body.getArguments(), getInputs());
  SmallVector<Operation *> recomputed;
  for (Operation &op : body.without_terminator())
    recomputed.push_back(b.clone(op, mapping));
  // Gradients flow to the inputs and between body ops, not to constants.
  GradientSweep sweep(b, [](Value v) {
    return !v.getDefiningOp<ConstantOp>() &&
           isa<FloatType>(cast<ShapedType>(v.getType()).getElementType());
  });
  for (auto [yielded, gradient] :
       llvm::zip(body.getTerminator()->getOperands(), resultGradients))
    if (gradient)
      sweep.accumulate(mapping.lookupOrDefault(yielded), gradient);
  // Then the body ops' own rules, last op first.
  if (failed(sweep.backward(recomputed)))
    return failure();
  for (auto [i, input] : llvm::enumerate(getInputs()))
    operandGradients[i] = sweep.gradientOf(input);
  return success();
}
