//===- RematTest.cpp - Every remat policy gives the same gradients --------===//
//
// The tiny ViT, fused and differentiated under each recomputation policy,
// evaluated in f64 on the same random weights: the loss and every gradient
// must equal those of `remat=none` (the recomputed values are the same ops
// on the same inputs). That each policy keeps fewer bytes for the backward
// is checked in test/Models/autodiff-models.mlir.
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
#include <random>
#include <sstream>

using namespace mlir;
using namespace mlir::clip;
using reference::Tensor;

namespace {

class RematTest : public ::testing::Test {
protected:
  RematTest() {
    DialectRegistry registry;
    registry.insert<ClipDialect, func::FuncDialect>();
    func::registerInlinerExtension(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// The training function of `config` at `imageSize` under `remat`.
  OwningOpRef<ModuleOp> trainModule(const std::string &config,
                                    int64_t imageSize, int64_t batch,
                                    const std::string &remat, bool trainBn) {
    std::ifstream in(std::string(CLIPC_SOURCE_DIR) + "/models/clip/configs/" +
                     config + ".json");
    std::stringstream json;
    json << in.rdbuf();
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
        ::clip::modelgen::generateClipModel(
            ::clip::modelgen::parseModelConfig(json.str(), config, imageSize),
            config),
        &context);
    if (!module)
      return nullptr;
    PassManager pm(&context);
    PrepareOptions prepare;
    prepare.batchSize = batch;
    buildPreparePipeline(pm, prepare);
    if (trainBn)
      pm.addPass(createTrainBatchNorm());
    buildFusePipeline(pm);
    AutodiffOptions options;
    options.rematPolicy = remat;
    pm.addPass(createAutodiff(options));
    if (failed(pm.run(*module)))
      return nullptr;
    return module;
  }

  void expectSameGradients(const std::string &config, int64_t imageSize,
                           int64_t batch, bool trainBn) {
    OwningOpRef<ModuleOp> reference =
        trainModule(config, imageSize, batch, "none", trainBn);
    ASSERT_TRUE(reference);
    auto train = reference->lookupSymbol<func::FuncOp>("train_step");
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal(0.0, 0.05);
    reference::Bindings bindings;
    train.walk([&](Operation *op) {
      auto fill = [&](StringRef name, RankedTensorType type, bool isParam) {
        Tensor t = Tensor::filled(type.getShape());
        for (double &v : t.data)
          v = type.getElementType().isInteger(64)
                  ? double(std::uniform_int_distribution<int>(1, 49407)(rng))
                  : normal(rng);
        if (name.ends_with("running_var") ||
            (name.ends_with("weight") && type.getRank() == 1))
          for (double &v : t.data)
            v = 1.0 + std::abs(v);
        (isParam ? bindings.params : bindings.inputs)[name] = std::move(t);
      };
      if (auto p = dyn_cast<ParamOp>(op))
        fill(p.getName(), cast<RankedTensorType>(p.getType()), true);
      if (auto in = dyn_cast<InputOp>(op))
        fill(in.getName(), cast<RankedTensorType>(in.getType()), false);
    });
    reference::EvaluateOptions options;
    options.precision = reference::Precision::Float64;
    auto expected = reference::evaluate(train, {}, bindings, options);
    ASSERT_TRUE(succeeded(expected));
    for (const char *policy : {"attention", "block"}) {
      OwningOpRef<ModuleOp> module =
          trainModule(config, imageSize, batch, policy, trainBn);
      ASSERT_TRUE(module) << policy;
      auto actual =
          reference::evaluate(module->lookupSymbol<func::FuncOp>("train_step"),
                              {}, bindings, options);
      ASSERT_TRUE(succeeded(actual)) << policy;
      ASSERT_EQ(actual->size(), expected->size());
      double worst = 0.0;
      for (size_t i = 0; i < expected->size(); ++i) {
        const Tensor &e = (*expected)[i], &a = (*actual)[i];
        double diff = 0, norm = 0;
        for (size_t j = 0; j < e.data.size(); ++j) {
          diff += (a.data[j] - e.data[j]) * (a.data[j] - e.data[j]);
          norm += e.data[j] * e.data[j];
        }
        worst = std::max(worst, std::sqrt(diff / std::max(norm, 1e-300)));
      }
      // The same ops on the same values: equal up to summation order.
      EXPECT_LE(worst, 1e-12) << config << " remat=" << policy;
      std::printf("%s remat=%-9s worst relative difference %.3e over %zu "
                  "results\n",
                  config.c_str(), policy, worst, expected->size());
    }
  }

  MLIRContext context;
};

TEST_F(RematTest, TinyViTSameGradients) {
  expectSameGradients("ViT-Tiny-32", 0, 2, false);
}

// RN50 (64x64, training BatchNorm) passes too, in 4 minutes on 2 cores; it
// is left out of the suite for time (`RematTest.*` with this case restored).

} // namespace
