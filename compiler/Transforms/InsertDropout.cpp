//===- InsertDropout.cpp - Dropout in the training graph's blocks ---------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "runtime/abi/ClipLibrary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::clip {
#define GEN_PASS_DEF_INSERTDROPOUT
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// The value a bias parameter is added to: the add's result, the point
/// after a projection.
Value biasAdded(ParamOp bias) {
  for (Operation *user : bias->getUsers())
    if (auto add = dyn_cast<AddOp>(user))
      return add.getResult();
  return {};
}

struct InsertDropoutPass : clip::impl::InsertDropoutBase<InsertDropoutPass> {
  using InsertDropoutBase::InsertDropoutBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (double rate : {imageRate.getValue(), textRate.getValue()})
      if (!(rate >= 0.0 && rate < 1.0)) {
        module.emitError() << "clip-insert-dropout: rates lie in [0, 1), got "
                           << rate;
        return signalPassFailure();
      }
    auto func = module.lookupSymbol<func::FuncOp>(function);
    if (!func) {
      module.emitError() << "clip-insert-dropout: no function @" << function;
      return signalPassFailure();
    }
    // The points, in program order.
    SmallVector<std::pair<Value, double>> points;
    func.walk([&](ParamOp param) {
      StringRef name = param.getName();
      const double rate =
          name.starts_with("visual.") ? imageRate.getValue() : textRate.getValue();
      if (rate == 0.0 || !name.contains("resblocks."))
        return;
      if (name.ends_with(".attn.out_proj.bias") ||
          name.ends_with(".mlp.c_proj.bias")) {
        if (Value v = biasAdded(param))
          points.push_back({v, rate});
      } else if (name.ends_with(".mlp.c_fc.bias")) {
        if (Value v = biasAdded(param))
          for (Operation *user : v.getUsers())
            if (isa<GeluOp>(user))
              points.push_back({user->getResult(0), rate});
      }
    });
    if (points.empty()) {
      if (imageRate > 0 || textRate > 0) {
        func.emitError() << "clip-insert-dropout: no transformer block "
                            "(attn.out_proj / mlp.c_fc / mlp.c_proj biases) "
                            "to add dropout to in @"
                         << function;
        signalPassFailure();
      }
      return;
    }
    llvm::sort(points, [](const auto &a, const auto &b) {
      Operation *x = a.first.getDefiningOp(), *y = b.first.getDefiningOp();
      return x != y && x->isBeforeInBlock(y);
    });
    OpBuilder builder(func.getBody());
    Value seed = builder.create<InputOp>(
        func.getLoc(), RankedTensorType::get({}, builder.getI64Type()),
        builder.getStringAttr(CLIP_RNG_SEED));
    int64_t stream = 0;
    for (auto [value, rate] : points) {
      builder.setInsertionPointAfterValue(value);
      auto dropout = builder.create<DropoutOp>(
          value.getLoc(), value.getType(), value, seed,
          builder.getF64FloatAttr(rate), builder.getI64IntegerAttr(stream++));
      value.replaceAllUsesExcept(dropout.getResult(), dropout);
    }
  }
};

} // namespace
