//===- LockTowers.cpp - Freeze a tower's parameters (LiT) -----------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"

#include "llvm/ADT/StringExtras.h"

#include <optional>

namespace mlir::clip {
#define GEN_PASS_DEF_LOCKTOWERS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

/// Where a parameter sits in OpenCLIP's lock groups of its tower.
struct Placement {
  bool image = false;
  /// 0: the embeddings group; k + 1: resblock k. The projection's group
  /// and the final norm's (they join the last resblock's) are resolved once
  /// the tower's depth is known.
  int64_t group = 0;
  bool joinsLastBlock = false, projection = false, resnet = false;
};

/// The tower and group of `name`, or nothing for the parameters of neither
/// tower (logit_scale, logit_bias).
std::optional<Placement> place(StringRef name) {
  Placement p;
  p.image = name.consume_front("visual.");
  if (!p.image && (name == "logit_scale" || name == "logit_bias"))
    return std::nullopt;
  if (name.consume_front("transformer.resblocks.")) {
    int64_t block = 0;
    if (name.consumeInteger(10, block))
      return std::nullopt;
    p.group = block + 1;
    return p;
  }
  if (name.starts_with("ln_post") || name.starts_with("ln_final")) {
    p.joinsLastBlock = true;
    return p;
  }
  if (name == "proj" || name == "text_projection") {
    p.projection = true;
    return p;
  }
  if (name.starts_with("conv1") || name == "class_embedding" ||
      name == "positional_embedding" || name.starts_with("ln_pre") ||
      name.starts_with("token_embedding"))
    return p; // the embeddings group
  // A ModifiedResNet (conv2, bn1, layer1.0..., attnpool...): locks whole.
  p.resnet = p.image;
  return p.image ? std::optional<Placement>(p) : std::nullopt;
}

struct LockTowersPass : clip::impl::LockTowersBase<LockTowersPass> {
  using LockTowersBase::LockTowersBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<ParamOp, Placement>> params;
    // Resblocks per tower: the depth decides the last groups.
    int64_t blocks[2] = {0, 0};
    bool resnet = false;
    module.walk([&](ParamOp op) {
      if (std::optional<Placement> p = place(op.getName())) {
        params.push_back({op, *p});
        blocks[p->image] = std::max(blocks[p->image], p->group);
        resnet |= p->resnet;
      }
    });
    struct Tower {
      const char *name;
      bool lock;
      int64_t unlocked;
    } towers[2] = {{"text", lockText, textUnlockedGroups},
                   {"image", lockImage, imageUnlockedGroups}};
    for (int t = 0; t < 2; ++t) {
      const Tower &tower = towers[t];
      // Groups: embeddings, blocks 0..L-2, [block L-1 + final norm], proj.
      const int64_t groups = blocks[t] + 2;
      if (tower.unlocked < 0 || (tower.unlocked > 0 && !tower.lock)) {
        module.emitError() << "clip-lock-towers: " << tower.name
                           << "-unlocked-groups needs lock-" << tower.name
                           << " and a count >= 0";
        return signalPassFailure();
      }
      if (tower.lock && t == 1 && resnet && tower.unlocked > 0) {
        module.emitError() << "clip-lock-towers: a ResNet image tower locks "
                              "whole (as OpenCLIP's): image-unlocked-groups "
                              "must be 0";
        return signalPassFailure();
      }
      if (tower.lock && !resnet && tower.unlocked > groups) {
        module.emitError() << "clip-lock-towers: the " << tower.name
                           << " tower has " << groups
                           << " groups (embeddings, " << blocks[t]
                           << " resblocks, the projection); "
                           << tower.unlocked << " cannot stay unlocked";
        return signalPassFailure();
      }
    }
    if (lockImage && resnet) {
      bool trainingNorm = false;
      module.walk([&](BatchNormTrainOp) { trainingNorm = true; });
      if (trainingNorm) {
        module.emitError() << "clip-lock-towers: a locked ResNet tower keeps "
                              "its BatchNorm running statistics; compile "
                              "without --train-batch-norm";
        return signalPassFailure();
      }
    }
    for (auto &[op, p] : params) {
      const Tower &tower = towers[p.image];
      if (!tower.lock)
        continue;
      const int64_t groups = blocks[p.image] + 2;
      // The last resblock's group (k + 1 = L = groups - 2) is the one
      // ln_post / ln_final join.
      const int64_t group = p.projection       ? groups - 1
                            : p.joinsLastBlock ? groups - 2
                                               : p.group;
      if (p.resnet || group < groups - tower.unlocked)
        op.setFrozen(true);
    }
  }
};

} // namespace
