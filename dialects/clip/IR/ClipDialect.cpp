//===- ClipDialect.cpp - The clip dialect ---------------------------------===//
#include "clip/IR/ClipDialect.h"
#include "clip/IR/ClipOps.h"
#include "runtime/abi/ClipLibrary.h"

#include "mlir/IR/Builders.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace mlir::clip;

#include "clip/IR/ClipDialect.cpp.inc"

namespace {
/// Every clip op is pure and region-free, so the block functions a model is
/// written with (layer norm, attention, ...) can always be inlined.
struct ClipInlinerInterface : DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void ClipDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "clip/IR/ClipOps.cpp.inc"
      >();
  addInterfaces<ClipInlinerInterface>();
}

Operation *ClipDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

std::string mlir::clip::resultOutputName(FunctionOpInterface func,
                                         unsigned index) {
  if (auto name = func.getResultAttrOfType<StringAttr>(index, "clip.output"))
    return name.getValue().str();
  if (auto param = func.getResultAttrOfType<StringAttr>(index, "clip.gradient"))
    return CLIP_GRAD_PREFIX + param.getValue().str();
  if (auto param =
          func.getResultAttrOfType<StringAttr>(index, "clip.running_update"))
    return CLIP_UPDATE_PREFIX + param.getValue().str();
  return "result" + std::to_string(index);
}
