//===- CheckNames.cpp - One tensor per parameter or input name ------------===//
//
// Parameter names are OpenCLIP state-dict keys and input names are what the
// runtime feeds; two declarations of one name that disagree would bind one
// tensor to two shapes. The op verifiers see one op at a time, so the check
// runs over the module here.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::clip {
#define GEN_PASS_DEF_CHECKNAMES
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// What one declaration of a name says about it.
struct Declaration {
  Operation *op;
  Type type;
  bool isParam;
  bool frozen;

  StringRef kind() const { return isParam ? "parameter" : "input"; }
};

/// Reports how `later` disagrees with `first`, or succeeds if it does not.
LogicalResult checkAgrees(StringRef name, const Declaration &first,
                          const Declaration &later) {
  std::string clash;
  if (first.isParam != later.isParam)
    clash = ("is declared as " + later.kind() + " here but as " + first.kind() +
             " before")
                .str();
  else if (first.type != later.type)
    clash = "has a different type here than before";
  else if (first.frozen != later.frozen)
    clash = later.frozen ? "is frozen here but not before"
                         : "is not frozen here but was before";
  if (clash.empty())
    return success();
  InFlightDiagnostic diag = later.op->emitError()
                            << later.kind() << " '" << name << "' " << clash;
  if (first.type != later.type)
    diag << ": " << later.type << " vs " << first.type;
  diag.attachNote(first.op->getLoc()) << "first declared here";
  return failure();
}

struct CheckNamesPass : clip::impl::CheckNamesBase<CheckNamesPass> {
  void runOnOperation() override {
    llvm::StringMap<Declaration> seen;
    WalkResult result = getOperation().walk([&](Operation *op) {
      std::optional<std::pair<StringRef, Declaration>> decl;
      if (auto param = llvm::dyn_cast<ParamOp>(op))
        decl = {param.getName(),
                Declaration{op, param.getType(), true, param.getFrozen()}};
      else if (auto input = llvm::dyn_cast<InputOp>(op))
        decl = {input.getName(),
                Declaration{op, input.getType(), false, false}};
      if (!decl)
        return WalkResult::advance();
      auto [it, inserted] = seen.try_emplace(decl->first, decl->second);
      if (inserted ||
          succeeded(checkAgrees(decl->first, it->second, decl->second)))
        return WalkResult::advance();
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};

} // namespace
