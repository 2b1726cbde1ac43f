//===- ClipInterfaces.td - Op interfaces of the clip dialect --------------===//
#ifndef CLIP_INTERFACES_TD
#define CLIP_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Clip_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::clip";
  let description = [{
    The op's reverse-mode gradient rule, used by `clip-autodiff`. Given the
    gradient of the loss with respect to each result (a null value where no
    gradient flows: the result does not reach the loss), the op builds ops
    that compute the gradient with respect to each operand, with the
    operand's exact type (broadcast operands get their gradient summed back
    to their shape). An operand that carries no gradient (an index, a mask,
    a running statistic) gets a null value. The builder's insertion point is
    where the backward ops go; the op's operands and results may be read
    there (the forward values are available to the backward pass).
  }];
  let methods = [
    InterfaceMethod<
      "Builds the gradients of the operands from those of the results.",
      "::mlir::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultGradients,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGradients)>
  ];
}

#endif // CLIP_INTERFACES_TD
