//===- ElementwiseEmitter.cpp - Scalar C++ for elementwise kernels --------===//

#include "compiler/Target/Common/ElementwiseEmitter.h"

#include "clip/IR/ClipOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include "fmt/format.h"

#include <cmath>

using namespace mlir;
using namespace mlir::clip;

namespace mlir::clip::codegen {

FailureOr<std::string> scalarType(Operation *at, Type type) {
  if (type.isF32())
    return std::string("float");
  if (type.isBF16()) // storage only: converts to and from float
    return std::string("clip::bf16");
  if (type.isInteger(64))
    return std::string("int64_t");
  if (type.isInteger(1))
    return std::string("bool");
  // The clip.so ABI describes f32, i64 and bool tensors (ClipDType); bf16
  // is the storage of kernel-mixed-precision's buffers.
  at->emitError("code generation supports f32, i64 and i1 elements (and bf16 "
                "buffers), not ")
      << type;
  return failure();
}

std::string floatLiteral(double value) {
  if (std::isnan(value))
    return "__builtin_nanf(\"\")";
  if (std::isinf(value))
    return value > 0 ? "__builtin_inff()" : "(-__builtin_inff())";
  std::string text = fmt::format("{:.9g}", value);
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text + "f";
}

namespace {

const char *geluFunction(GeluApproximation approximation, bool derivative) {
  switch (approximation) {
  case GeluApproximation::none:
    return derivative ? "clip::scalar::geluDerivative" : "clip::scalar::gelu";
  case GeluApproximation::tanh:
    return derivative ? "clip::scalar::geluTanhDerivative"
                      : "clip::scalar::geluTanh";
  case GeluApproximation::quick:
    return derivative ? "clip::scalar::quickGeluDerivative"
                      : "clip::scalar::quickGelu";
  }
  return "";
}

/// Offset of element `i` of the loop shape in a tensor of `shape` that
/// broadcasts to it (trailing dims aligned, size-1 dims read at 0).
std::string broadcastOffset(ArrayRef<int64_t> shape, ArrayRef<int64_t> loop) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  if (shape == loop)
    return "i";
  if (count == 1)
    return "0";
  // Walk the loop dims from the last, carrying the rest of i.
  std::string expr;
  int64_t inner = 1, stride = 1;
  const int64_t lead = loop.size() - shape.size();
  for (int64_t d = loop.size() - 1; d >= 0; --d) {
    const int64_t own = d >= lead ? shape[d - lead] : 1;
    if (own != 1)
      expr += fmt::format("{}(i / {} % {}) * {}", expr.empty() ? "" : " + ",
                          inner, loop[d], stride);
    stride *= own;
    inner *= loop[d];
  }
  return expr;
}

/// The condition under which loop element `i` is the first of those that
/// broadcast from one element of a smaller `shape` (its broadcast dims'
/// indices all 0), or "" when every loop element is its own.
std::string firstOfBroadcast(ArrayRef<int64_t> shape, ArrayRef<int64_t> loop) {
  std::string condition;
  int64_t inner = 1;
  const int64_t lead = loop.size() - shape.size();
  for (int64_t d = loop.size() - 1; d >= 0; --d) {
    const int64_t own = d >= lead ? shape[d - lead] : 1;
    if (own == 1 && loop[d] != 1)
      condition += fmt::format("{}i / {} % {} == 0",
                               condition.empty() ? "" : " && ", inner, loop[d]);
    inner *= loop[d];
  }
  return condition;
}

} // namespace

FailureOr<ElementwiseLoop>
emitElementwiseLoop(Operation *kernelOp, const std::vector<std::string> &inputs,
                    const std::vector<std::string> &outputs) {
  // The loop runs over the largest result; smaller ones broadcast to it.
  auto loopType = cast<RankedTensorType>(kernelOp->getResult(0).getType());
  for (Type type : kernelOp->getResultTypes())
    if (cast<RankedTensorType>(type).getNumElements() >
        loopType.getNumElements())
      loopType = cast<RankedTensorType>(type);
  ArrayRef<int64_t> loop = loopType.getShape();

  ElementwiseLoop result;
  result.count = loopType.getNumElements();
  llvm::DenseMap<Value, std::string> scalars;
  int64_t next = 0;
  auto define = [&](Value value, const std::string &expr) -> LogicalResult {
    FailureOr<std::string> type = scalarType(
        kernelOp, cast<ShapedType>(value.getType()).getElementType());
    if (failed(type))
      return failure();
    std::string name = fmt::format("v{}", next++);
    result.body.push_back(fmt::format("const {} {} = {};", *type, name, expr));
    scalars[value] = name;
    return success();
  };

  // The ops to run and the values standing for the kernel's operands.
  SmallVector<Operation *> ops;
  SmallVector<Value> yielded;
  SmallVector<Value> operandValues;
  if (auto region = dyn_cast<ElementwiseOp>(kernelOp)) {
    Block &body = region.getBody().front();
    for (BlockArgument arg : body.getArguments())
      operandValues.push_back(arg);
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    llvm::append_range(yielded, body.getTerminator()->getOperands());
  } else {
    llvm::append_range(operandValues, kernelOp->getOperands());
    ops.push_back(kernelOp);
    llvm::append_range(yielded, kernelOp->getResults());
  }
  for (auto [k, value] : llvm::enumerate(operandValues)) {
    // One load per value: `mul %x, %x` reads x once, and a region may
    // leave an argument unused (no load, so no unused variable).
    if (value.use_empty() || scalars.count(value))
      continue;
    auto shape = cast<RankedTensorType>(value.getType()).getShape();
    if (failed(define(value, fmt::format("{}[{}]", inputs[k],
                                         broadcastOffset(shape, loop)))))
      return failure();
  }

  for (Operation *op : ops) {
    auto in = [&](unsigned k) { return scalars.lookup(op->getOperand(k)); };
    std::optional<std::string> expr =
        llvm::TypeSwitch<Operation *, std::optional<std::string>>(op)
            .Case([&](NegOp) { return "(-" + in(0) + ")"; })
            .Case([&](ExpOp) { return "expf(" + in(0) + ")"; })
            .Case([&](LogOp) { return "logf(" + in(0) + ")"; })
            .Case([&](SqrtOp) { return "sqrtf(" + in(0) + ")"; })
            .Case([&](RsqrtOp) { return "(1.0f / sqrtf(" + in(0) + "))"; })
            .Case([&](TanhOp) { return "tanhf(" + in(0) + ")"; })
            .Case([&](SigmoidOp) {
              return "clip::scalar::sigmoid(" + in(0) + ")";
            })
            .Case([&](ErfOp) { return "erff(" + in(0) + ")"; })
            .Case([&](GeluOp gelu) {
              return std::string(geluFunction(gelu.getApproximation(), false)) +
                     "(" + in(0) + ")";
            })
            .Case([&](GeluGradOp grad) {
              return "(" + in(1) + " * " +
                     geluFunction(grad.getApproximation(), true) + "(" + in(0) +
                     "))";
            })
            .Case([&](AddOp) { return "(" + in(0) + " + " + in(1) + ")"; })
            .Case([&](SubOp) { return "(" + in(0) + " - " + in(1) + ")"; })
            .Case([&](MulOp) { return "(" + in(0) + " * " + in(1) + ")"; })
            .Case([&](DivOp) { return "(" + in(0) + " / " + in(1) + ")"; })
            .Case([&](MaxOp) {
              return "clip::scalar::maxOf(" + in(0) + ", " + in(1) + ")";
            })
            .Case([&](MinOp) {
              return "clip::scalar::minOf(" + in(0) + ", " + in(1) + ")";
            })
            .Case([&](CmpOp cmp) {
              static const char *symbols[] = {"==", "!=", "<", "<=", ">", ">="};
              return "(" + in(0) + " " +
                     symbols[static_cast<int>(cmp.getPredicate())] + " " +
                     in(1) + ")";
            })
            .Case([&](SelectOp) {
              return "(" + in(0) + " ? " + in(1) + " : " + in(2) + ")";
            })
            .Case([&](CastOp castOp) -> std::optional<std::string> {
              FailureOr<std::string> to =
                  scalarType(op, cast<ShapedType>(castOp.getResult().getType())
                                     .getElementType());
              if (failed(to))
                return std::nullopt;
              return "static_cast<" + *to + ">(" + in(0) + ")";
            })
            .Case([&](DropoutOp d) {
              // The mask is keyed by the element's index in the dropout's
              // own result, whatever loop it joined.
              auto shape =
                  cast<RankedTensorType>(d.getResult().getType()).getShape();
              return fmt::format("clip::scalar::dropout({}, {}, {}LL, {}, {})",
                                 in(0), in(1), d.getStream(),
                                 broadcastOffset(shape, loop),
                                 floatLiteral(d.getRate().convertToDouble()));
            })
            .Case([&](BroadcastOp) { return in(0); })
            .Case([&](ConstantOp constant) -> std::optional<std::string> {
              auto value = cast<DenseElementsAttr>(constant.getValue());
              Type element = value.getElementType();
              if (isa<FloatType>(element))
                return floatLiteral(
                    (*value.getValues<APFloat>().begin()).convertToDouble());
              if (element.isInteger(1))
                return std::string(*value.getValues<bool>().begin() ? "true"
                                                                    : "false");
              return fmt::format(
                  "static_cast<int64_t>({}LL)",
                  (*value.getValues<APInt>().begin()).getSExtValue());
            })
            .Default([&](Operation *) -> std::optional<std::string> {
              op->emitError("no scalar code for this op in an elementwise "
                            "kernel");
              return std::nullopt;
            });
    if (!expr)
      return failure();
    if (failed(define(op->getResult(0), *expr)))
      return failure();
  }
  for (auto [r, value] : llvm::enumerate(yielded)) {
    // A smaller result is written once per element, by the first loop
    // element that broadcasts from it.
    auto shape =
        cast<RankedTensorType>(kernelOp->getResult(r).getType()).getShape();
    const std::string store =
        fmt::format("{}[{}] = {};", outputs[r], broadcastOffset(shape, loop),
                    scalars.lookup(value));
    const std::string first = firstOfBroadcast(shape, loop);
    result.body.push_back(
        first.empty() ? store : fmt::format("if ({}) {}", first, store));
  }
  return result;
}

} // namespace mlir::clip::codegen
