//===- KernelOps.cpp - The kernel dialect's ops and verifiers -------------===//

#include "kernel/IR/KernelOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::kernel;

#include "kernel/IR/KernelDialect.cpp.inc"

void KernelDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kernel/IR/KernelOps.cpp.inc"
      >();
}

RankedTensorType mlir::kernel::tensorTypeOf(MemRefType buffer) {
  return RankedTensorType::get(buffer.getShape(), buffer.getElementType());
}

int64_t mlir::kernel::byteSize(MemRefType buffer) {
  const int64_t bits = buffer.getElementTypeBitWidth();
  return buffer.getNumElements() * std::max<int64_t>(1, bits / 8);
}

Value mlir::kernel::rootBuffer(Value buffer) {
  while (auto view = buffer.getDefiningOp<ViewOp>())
    buffer = view.getSource();
  return buffer;
}

LogicalResult ConstantOp::verify() {
  auto type = llvm::cast<ShapedType>(getValue().getType());
  if (type.getShape() != getType().getShape() ||
      type.getElementType() != getType().getElementType())
    return emitOpError("value of type ")
           << type << " does not fill a buffer of type " << getType();
  return success();
}

LogicalResult ViewOp::verify() {
  MemRefType source = getSource().getType(), result = getType();
  if (source.getElementType() != result.getElementType())
    return emitOpError("changes the element type from ")
           << source.getElementType() << " to " << result.getElementType();
  if (!source.getLayout().isIdentity() || !result.getLayout().isIdentity())
    return emitOpError("needs identity layouts");
  if (static_cast<int64_t>(getOffset()) + result.getNumElements() >
      source.getNumElements())
    return emitOpError("reads elements [")
           << getOffset() << ", " << getOffset() + result.getNumElements()
           << ") of a buffer of " << source.getNumElements();
  return success();
}

/// Whether a launch body's tensor of `type` may be bound to `buffer`: the
/// buffer's own type, or the same shape in bf16 storage for an f32 tensor
/// (kernel-mixed-precision: the kernel widens on load, rounds on store).
static bool bindsTo(Type type, MemRefType buffer) {
  RankedTensorType own = tensorTypeOf(buffer);
  if (type == own)
    return true;
  auto tensor = llvm::dyn_cast<RankedTensorType>(type);
  return tensor && buffer.getElementType().isBF16() &&
         tensor.getElementType().isF32() && tensor.getShape() == own.getShape();
}

LogicalResult LaunchOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != getIns().size())
    return emitOpError("body takes ")
           << body.getNumArguments() << " arguments for " << getIns().size()
           << " input buffers";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(body.getArgumentTypes(), getIns()))) {
    auto [argType, buffer] = pair;
    auto memref = llvm::cast<MemRefType>(buffer.getType());
    if (!bindsTo(argType, memref))
      return emitOpError("body argument #")
             << i << " is " << argType << ", its buffer holds "
             << tensorTypeOf(memref);
  }
  auto yield = llvm::cast<YieldOp>(body.getTerminator());
  if (yield.getValues().size() != getOuts().size())
    return emitOpError("yields ") << yield.getValues().size() << " tensors for "
                                  << getOuts().size() << " output buffers";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(yield.getValues().getTypes(), getOuts()))) {
    auto [type, buffer] = pair;
    auto memref = llvm::cast<MemRefType>(buffer.getType());
    if (!bindsTo(type, memref))
      return emitOpError("yielded value #")
             << i << " is " << type << ", its buffer holds "
             << tensorTypeOf(memref);
  }
  if (!getKernelOp())
    return emitOpError("body must hold exactly one op besides the terminator");
  return success();
}

Operation *LaunchOp::getKernelOp() {
  Block &body = getBody().front();
  Operation *kernel = nullptr;
  for (Operation &op : body.without_terminator()) {
    if (kernel)
      return nullptr;
    kernel = &op;
  }
  return kernel;
}

StringRef LaunchOp::getKind() {
  Operation *op = getKernelOp();
  return op ? op->getName().stripDialect() : StringRef("invalid");
}

#define GET_OP_CLASSES
#include "kernel/IR/KernelOps.cpp.inc"
