//===- SpecializeBatchTest.cpp - Batch specialization of a real block -----===//
//
// For several batch sizes, the pre-LN transformer block specializes to a
// verified module with no dynamic dim left, whose output batch is the one
// asked for, and whose reshapes carry batch * tokens where they fold the
// batch into another dim.
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipOps.h"
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class SpecializeBatchTest : public ::testing::TestWithParam<int64_t> {
protected:
  SpecializeBatchTest() {
    DialectRegistry registry;
    registry.insert<clip::ClipDialect, func::FuncDialect>();
    func::registerInlinerExtension(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  OwningOpRef<ModuleOp> parseBlock() {
    return parseSourceFile<ModuleOp>(
        CLIPC_SOURCE_DIR "/models/clip/transformer_block.mlir", &context);
  }

  MLIRContext context;
};

TEST_P(SpecializeBatchTest, TransformerBlock) {
  const int64_t batch = GetParam();
  OwningOpRef<ModuleOp> module = parseBlock();
  ASSERT_TRUE(module);

  PassManager pm(&context);
  clip::SpecializeBatchOptions options;
  options.batchSize = batch;
  pm.addPass(clip::createSpecializeBatch(options));
  pm.addPass(createInlinerPass());
  ASSERT_TRUE(succeeded(pm.run(*module)));
  ASSERT_TRUE(succeeded(verify(*module)));

  // No `?` anywhere.
  module->walk([&](Operation *op) {
    for (Type type : op->getResultTypes()) {
      if (auto tensor = llvm::dyn_cast<RankedTensorType>(type)) {
        EXPECT_TRUE(tensor.hasStaticShape())
            << op->getName().getStringRef().str() << " keeps a dynamic dim";
      }
    }
  });

  auto block = module->lookupSymbol<func::FuncOp>("residual_block");
  ASSERT_TRUE(block);
  auto output =
      llvm::cast<RankedTensorType>(block.getFunctionType().getResult(0));
  EXPECT_EQ(output.getShape(), (ArrayRef<int64_t>{batch, 77, 512}));

  // The transpose that moves heads in front of the batch keeps the batch in
  // dim 1; the scores carry batch x heads.
  bool sawScores = false;
  block.walk([&](clip::SoftmaxOp softmax) {
    EXPECT_EQ(softmax.getType().getShape(),
              (ArrayRef<int64_t>{batch, 8, 77, 77}));
    sawScores = true;
  });
  EXPECT_TRUE(sawScores);
}

INSTANTIATE_TEST_SUITE_P(Batches, SpecializeBatchTest,
                         ::testing::Values(1, 2, 7, 256));

TEST(SpecializeBatch, RejectsMissingBatchSize) {
  MLIRContext context;
  context.loadDialect<clip::ClipDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(
      "func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {\n"
      "  return %x : tensor<?xf32>\n}\n",
      &context);
  ASSERT_TRUE(module);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  PassManager pm(&context);
  pm.addPass(clip::createSpecializeBatch());
  EXPECT_TRUE(failed(pm.run(*module)));
  EXPECT_EQ(message, "clip-specialize-batch needs batch-size >= 1, got 0");
}

} // namespace
