//===- ParamSummary.cpp - Count a model's parameters ----------------------===//
//
// The parameter count is the first thing to compare with OpenCLIP: a shape or
// a key that is off shows up here before any number is computed.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::clip {
#define GEN_PASS_DEF_PARAMSUMMARY
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

struct ParamSummaryPass : clip::impl::ParamSummaryBase<ParamSummaryPass> {
  using ParamSummaryBase::ParamSummaryBase;

  void runOnOperation() override {
    // Block functions may declare a name more than once; count it once
    // (clip-check-names guarantees the declarations agree).
    llvm::MapVector<StringRef, ParamOp> params;
    getOperation().walk([&](ParamOp op) { params.insert({op.getName(), op}); });

    int64_t trainable = 0, frozen = 0, bytes = 0;
    llvm::raw_ostream &os = llvm::outs();
    for (auto &[name, op] : params) {
      auto type = cast<RankedTensorType>(op.getResult().getType());
      const int64_t elements = type.getNumElements();
      (op.getFrozen() ? frozen : trainable) += elements;
      bytes += elements * type.getElementTypeBitWidth() / 8;
      if (list)
        os << name << " " << type << (op.getFrozen() ? " frozen" : "") << "\n";
    }
    os << "parameters: " << params.size() << " tensors, " << trainable
       << " trainable elements, " << frozen << " frozen elements, " << bytes
       << " bytes\n";
    markAllAnalysesPreserved();
  }
};

} // namespace
