//===- PatternEquivalenceTest.cpp - Each fusion keeps its values ----------===//
//
// The lit tests of the fusion passes (test/Transforms/fuse-*.mlir) show what
// each pattern makes of a spelling; this test checks that what it makes
// computes the same: every function in those files is run by the reference
// evaluator in f64 on random arguments before and after the pass.
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipDialect.h"
#include "clip/IR/ClipOps.h"
#include "compiler/Reference/Evaluator.h"
#include "compiler/Transforms/Passes.h"

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

struct PassCase {
  const char *file;
  std::function<std::unique_ptr<Pass>()> create;
};

class PatternEquivalenceTest : public ::testing::TestWithParam<PassCase> {
protected:
  PatternEquivalenceTest() {
    context.loadDialect<ClipDialect, func::FuncDialect>();
  }

  /// The file's `// -----` splits.
  static std::vector<std::string> splits(const std::string &path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<std::string> parts;
    std::string all = text.str(), marker = "// -----";
    size_t start = 0;
    for (size_t at; (at = all.find(marker, start)) != std::string::npos;
         start = at + marker.size())
      parts.push_back(all.substr(start, at - start));
    parts.push_back(all.substr(start));
    return parts;
  }

  /// Random arguments: floats ~ N(0, 1), integers (labels) in [0, 2].
  static std::vector<Tensor> randomArguments(func::FuncOp func) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_int_distribution<int> label(0, 2);
    std::vector<Tensor> args;
    for (Type type : func.getArgumentTypes()) {
      auto tensor = cast<RankedTensorType>(type);
      Tensor t = Tensor::filled(tensor.getShape());
      for (double &v : t.data)
        v = isa<FloatType>(tensor.getElementType()) ? normal(rng) : label(rng);
      args.push_back(std::move(t));
    }
    return args;
  }

  MLIRContext context;
};

TEST_P(PatternEquivalenceTest, SameValuesAfterThePass) {
  const PassCase &c = GetParam();
  int functions = 0;
  for (const std::string &source :
       splits(std::string(CLIPC_SOURCE_DIR) + "/test/Transforms/" + c.file)) {
    OwningOpRef<ModuleOp> before =
        parseSourceString<ModuleOp>(source, &context);
    ASSERT_TRUE(before) << c.file;
    OwningOpRef<ModuleOp> after = before->clone();
    PassManager pm(&context);
    pm.addPass(c.create());
    ASSERT_TRUE(succeeded(pm.run(*after)));
    for (auto func : before->getOps<func::FuncOp>()) {
      auto fused = after->lookupSymbol<func::FuncOp>(func.getSymName());
      std::vector<Tensor> args = randomArguments(func);
      reference::EvaluateOptions options;
      options.precision = reference::Precision::Float64;
      auto expected = reference::evaluate(func, args, {}, options);
      auto actual = reference::evaluate(fused, args, {}, options);
      ASSERT_TRUE(succeeded(expected) && succeeded(actual))
          << c.file << " @" << func.getSymName().str();
      for (size_t r = 0; r < expected->size(); ++r) {
        const Tensor &e = (*expected)[r], &a = (*actual)[r];
        ASSERT_EQ(e.data.size(), a.data.size());
        double diff = 0, norm = 0;
        for (size_t i = 0; i < e.data.size(); ++i) {
          diff += (a.data[i] - e.data[i]) * (a.data[i] - e.data[i]);
          norm += e.data[i] * e.data[i];
        }
        // f64 on both sides; only the order of operations differs.
        EXPECT_LE(std::sqrt(diff / std::max(norm, 1e-300)), 1e-12)
            << c.file << " @" << func.getSymName().str() << " result " << r;
      }
      ++functions;
    }
  }
  EXPECT_GE(functions, 4) << "too few functions in " << c.file;
}

INSTANTIATE_TEST_SUITE_P(
    FusionPasses, PatternEquivalenceTest,
    ::testing::Values(PassCase{"fuse-attention.mlir", createFuseAttention},
                      PassCase{"fuse-layer-norm.mlir", createFuseLayerNorm},
                      PassCase{"fuse-contrastive-loss.mlir",
                               createFuseContrastiveLoss},
                      PassCase{"fuse-epilogues.mlir", createFuseEpilogues},
                      PassCase{"patches-as-matmul.mlir",
                               createPatchesAsMatmul},
                      PassCase{"fuse-elementwise.mlir", createFuseElementwise}),
    [](const ::testing::TestParamInfo<PassCase> &info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      for (char &ch : name)
        if (ch == '-')
          ch = '_';
      return name;
    });

} // namespace
