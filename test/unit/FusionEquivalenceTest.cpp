//===- FusionEquivalenceTest.cpp - Fusion keeps the model's values --------===//
//
// Runs a whole model (prepared for a batch) with the reference evaluator in
// f64 on random weights and inputs, before and after a fusion pass, and
// requires the same loss, logits and features.
//
//===----------------------------------------------------------------------===//

#include "ClipModel.h"
#include "clip/IR/ClipDialect.h"
#include "clip/IR/ClipOps.h"
#include "compiler/Pipeline/Pipeline.h"
#include "compiler/Reference/Evaluator.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

using namespace mlir;
using namespace mlir::clip;
using reference::Tensor;

namespace {

class FusionEquivalenceTest : public ::testing::Test {
protected:
  FusionEquivalenceTest() {
    DialectRegistry registry;
    registry.insert<ClipDialect, func::FuncDialect>();
    func::registerInlinerExtension(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// A checked-in model, or one generated from a config at another image
  /// size (`name@size`), prepared for `batch`.
  OwningOpRef<ModuleOp> prepared(const std::string &model, int64_t batch) {
    OwningOpRef<ModuleOp> module;
    if (size_t at = model.find('@'); at != std::string::npos) {
      const std::string config = model.substr(0, at);
      std::ifstream in(std::string(CLIPC_SOURCE_DIR) + "/models/clip/configs/" +
                       config + ".json");
      std::stringstream json;
      json << in.rdbuf();
      std::string text = ::clip::modelgen::generateClipModel(
          ::clip::modelgen::parseModelConfig(json.str(), config,
                                             std::stoll(model.substr(at + 1))),
          config);
      module = parseSourceString<ModuleOp>(text, &context);
    } else {
      module = parseSourceFile<ModuleOp>(
          std::string(CLIPC_SOURCE_DIR) + "/models/clip/" + model, &context);
    }
    if (!module)
      return nullptr;
    PassManager pm(&context);
    PrepareOptions options;
    options.batchSize = batch;
    buildPreparePipeline(pm, options);
    if (failed(pm.run(*module)))
      return nullptr;
    return module;
  }

  /// Random values for every parameter and input of `func`: weights around
  /// the scale OpenCLIP initializes, token ids in the vocabulary.
  reference::Bindings randomBindings(func::FuncOp func) {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal(0.0, 0.05);
    reference::Bindings b;
    func.walk([&](Operation *op) {
      auto fill = [&](StringRef name, RankedTensorType type, bool isParam) {
        Tensor t = Tensor::filled(type.getShape());
        if (type.getElementType().isInteger(64)) {
          std::uniform_int_distribution<int64_t> id(1, 49407);
          for (double &v : t.data)
            v = static_cast<double>(id(rng));
        } else {
          for (double &v : t.data)
            v = normal(rng);
        }
        if (name.ends_with("weight") && type.getRank() == 1)
          for (double &v : t.data)
            v += 1.0; // norm gains near 1
        if (name.ends_with("running_var"))
          for (double &v : t.data)
            v = 1.0 + std::abs(v); // variances are positive
        if (name == "logit_scale")
          t.data[0] = std::log(1 / 0.07);
        (isParam ? b.params : b.inputs)[name] = std::move(t);
      };
      if (auto p = dyn_cast<ParamOp>(op))
        fill(p.getName(), cast<RankedTensorType>(p.getType()), true);
      if (auto in = dyn_cast<InputOp>(op))
        fill(in.getName(), cast<RankedTensorType>(in.getType()), false);
    });
    return b;
  }

  static double relativeError(const Tensor &a, const Tensor &b) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < a.data.size(); ++i) {
      diff += (a.data[i] - b.data[i]) * (a.data[i] - b.data[i]);
      norm += b.data[i] * b.data[i];
    }
    return std::sqrt(diff / std::max(norm, 1e-300));
  }

  /// Evaluates @forward of `model` before and after `addPasses`.
  void expectEquivalent(const std::string &model, int64_t batch,
                        const std::function<void(PassManager &)> &addPasses) {
    OwningOpRef<ModuleOp> before = prepared(model, batch);
    ASSERT_TRUE(before);
    OwningOpRef<ModuleOp> after = before->clone();
    PassManager pm(&context);
    addPasses(pm);
    ASSERT_TRUE(succeeded(pm.run(*after)));

    auto forwardBefore = before->lookupSymbol<func::FuncOp>("forward");
    auto forwardAfter = after->lookupSymbol<func::FuncOp>("forward");
    // The passes must have changed something, or the comparison is empty.
    int64_t opsBefore = 0, opsAfter = 0;
    forwardBefore.walk([&](Operation *) { ++opsBefore; });
    forwardAfter.walk([&](Operation *) { ++opsAfter; });
    EXPECT_LT(opsAfter, opsBefore) << "the passes fused nothing";
    reference::Bindings bindings = randomBindings(forwardBefore);
    reference::EvaluateOptions options;
    options.precision = reference::Precision::Float64;
    auto expected = reference::evaluate(forwardBefore, {}, bindings, options);
    auto actual = reference::evaluate(forwardAfter, {}, bindings, options);
    ASSERT_TRUE(succeeded(expected));
    ASSERT_TRUE(succeeded(actual));
    ASSERT_EQ(expected->size(), actual->size());
    const char *names[] = {"loss", "logits_per_image", "image_features",
                           "text_features"};
    for (size_t i = 0; i < expected->size(); ++i) {
      const double err = relativeError((*actual)[i], (*expected)[i]);
      EXPECT_LE(err, 1e-6) << model << " " << names[i];
      std::printf("%s %-18s relative error %.3e\n", model.c_str(), names[i],
                  err);
    }
  }

  MLIRContext context;
};

// Bit-identical in practice: the fused kernel does the same double
// operations in the same order; the bound allows a reordered kernel.
TEST_F(FusionEquivalenceTest, LayerNormTinyViT) {
  expectEquivalent("vit_tiny.mlir", 3,
                   [](PassManager &pm) { pm.addPass(createFuseLayerNorm()); });
}

// The whole fusion pipeline on the two small configs: every fused op's
// reference kernel against the primitive ops it replaced.
TEST_F(FusionEquivalenceTest, ClipFuseTinyViT) {
  expectEquivalent("vit_tiny.mlir", 3,
                   [](PassManager &pm) { buildFusePipeline(pm); });
}

// RN50 at 64x64: BatchNorm'd convolutions, AttentionPool2d (one query over
// 5 tokens, 32 heads) and the QuickGELU text tower.
TEST_F(FusionEquivalenceTest, ClipFuseRN50Small) {
  expectEquivalent("RN50@64", 2,
                   [](PassManager &pm) { buildFusePipeline(pm); });
}

} // namespace
