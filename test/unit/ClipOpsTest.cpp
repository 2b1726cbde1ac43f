//===- ClipOpsTest.cpp - Building clip ops from C++ -----------------------===//
//
// Ops built without result types get them from their shape rules; ops built
// with wrong ones fail verification with a message that names the problem.
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::clip;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

class ClipOpsTest : public ::testing::Test {
protected:
  ClipOpsTest() : builder(&context), loc(builder.getUnknownLoc()) {
    context.loadDialect<ClipDialect, func::FuncDialect>();
    module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    auto func = builder.create<func::FuncOp>(loc, "scratch",
                                             builder.getFunctionType({}, {}));
    body = func.addEntryBlock();
    builder.setInsertionPointToEnd(body);
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape, Type element = {}) {
    return RankedTensorType::get(shape,
                                 element ? element : builder.getF32Type());
  }

  /// A value of `type`: a fresh argument of the scratch function.
  Value arg(Type type) { return body->addArgument(type, loc); }
  Value arg(ArrayRef<int64_t> shape, Type element = {}) {
    return arg(tensor(shape, element));
  }

  /// Verifies `op`, returning the diagnostics it produced ("" if it passed).
  std::string verifyMessages(Operation *op) {
    std::string messages;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      messages += diag.str();
      return success();
    });
    if (succeeded(mlir::verify(op))) {
      EXPECT_TRUE(messages.empty());
    }
    return messages;
  }

  MLIRContext context;
  OpBuilder builder;
  Location loc;
  OwningOpRef<ModuleOp> module;
  Block *body = nullptr;
};

TEST_F(ClipOpsTest, MatmulInfersBatchedShape) {
  Value q = arg({2, 8, 77, 64}), k = arg({2, 8, 77, 64});
  auto scores = builder.create<MatmulOp>(loc, q, k, /*transpose_lhs=*/false,
                                         /*transpose_rhs=*/true);
  EXPECT_EQ(scores.getType(), tensor({2, 8, 77, 77}));
  EXPECT_EQ(verifyMessages(scores), "");

  // A rank-2 weight broadcasts over the leading dims of the activations.
  Value x = arg({kDyn, 197, 768}), w = arg({2304, 768});
  auto qkv = builder.create<MatmulOp>(loc, x, w, false, true);
  EXPECT_EQ(qkv.getType(), tensor({kDyn, 197, 2304}));

  Value a = arg({5, 3}), b = arg({5, 4});
  auto at_b = builder.create<MatmulOp>(loc, a, b, true, false);
  EXPECT_EQ(at_b.getType(), tensor({3, 4}));
}

TEST_F(ClipOpsTest, MatmulReportsContractionMismatch) {
  Value a = arg({2, 4}), b = arg({3, 5});
  auto bad = builder.create<MatmulOp>(loc, tensor({2, 5}), a, b);
  EXPECT_NE(verifyMessages(bad).find(
                "contraction size of lhs [2x4] (dim 1: 4) does not match rhs "
                "[3x5] (dim 0: 3)"),
            std::string::npos);
}

TEST_F(ClipOpsTest, DeclaredResultIsCheckedAgainstInference) {
  Value x = arg({2, 3}), y = arg({3});
  auto add = builder.create<AddOp>(loc, tensor({3, 3}), x, y);
  EXPECT_NE(verifyMessages(add).find("result #0 is declared 'tensor<3x3xf32>' "
                                     "but the operands give 'tensor<2x3xf32>'"),
            std::string::npos);
}

TEST_F(ClipOpsTest, ElementwiseBroadcasts) {
  Value x = arg({kDyn, 77, 512}), mean = arg({kDyn, 77, 1}), w = arg({512});
  auto centered = builder.create<SubOp>(loc, x, mean);
  EXPECT_EQ(centered.getType(), tensor({kDyn, 77, 512}));
  auto scaled = builder.create<MulOp>(loc, centered, w);
  EXPECT_EQ(scaled.getType(), tensor({kDyn, 77, 512}));

  auto cmp = builder.create<CmpOp>(loc, ComparePredicate::le, arg({1, 5}),
                                   arg({5, 1}));
  EXPECT_EQ(cmp.getType(), tensor({5, 5}, builder.getI1Type()));

  Value cond = arg({5, 5}, builder.getI1Type());
  auto select =
      builder.create<SelectOp>(loc, cond, arg({2, 1, 5, 5}), arg(tensor({})));
  EXPECT_EQ(select.getType(), tensor({2, 1, 5, 5}));

  auto gelu = builder.create<GeluOp>(loc, x, GeluApproximation::quick);
  EXPECT_EQ(gelu.getType(), x.getType());
  EXPECT_EQ(verifyMessages(gelu), "");
}

TEST_F(ClipOpsTest, ReductionsAndArgmax) {
  Value x = arg({2, 77, 512});
  auto mean = builder.create<ReduceMeanOp>(
      loc, x, builder.getDenseI64ArrayAttr({2}), /*keepdims=*/true);
  EXPECT_EQ(mean.getType(), tensor({2, 77, 1}));
  auto sum = builder.create<ReduceSumOp>(
      loc, x, builder.getDenseI64ArrayAttr({0, 2}), /*keepdims=*/false);
  EXPECT_EQ(sum.getType(), tensor({77}));

  Value text = arg({kDyn, 77}, builder.getI64Type());
  auto eos = builder.create<ArgmaxOp>(loc, text, /*axis=*/1, false);
  EXPECT_EQ(eos.getType(), tensor({kDyn}, builder.getI64Type()));
}

TEST_F(ClipOpsTest, ShapeManipulation) {
  Value x = arg({kDyn, 77, 512});
  auto heads = builder.create<ReshapeOp>(
      loc, x, builder.getDenseI64ArrayAttr({-1, 77, 8, 64}));
  EXPECT_EQ(heads.getType(), tensor({kDyn, 77, 8, 64}));

  Value s = arg({4, 77, 512});
  auto flat = builder.create<ReshapeOp>(
      loc, s, builder.getDenseI64ArrayAttr({-1, 512}));
  EXPECT_EQ(flat.getType(), tensor({308, 512}));

  auto t = builder.create<TransposeOp>(
      loc, heads, builder.getDenseI64ArrayAttr({0, 2, 1, 3}));
  EXPECT_EQ(t.getType(), tensor({kDyn, 8, 77, 64}));

  Value cls = arg({kDyn, 1, 768}), patches = arg({kDyn, 196, 768});
  auto tokens =
      builder.create<ConcatOp>(loc, ValueRange{cls, patches}, /*axis=*/1);
  EXPECT_EQ(tokens.getType(), tensor({kDyn, 197, 768}));

  auto first = builder.create<SliceOp>(loc, tokens, /*axis=*/1, /*start=*/0,
                                       /*end=*/1, /*step=*/1);
  EXPECT_EQ(first.getType(), tensor({kDyn, 1, 768}));
  auto odd = builder.create<SliceOp>(loc, tokens, 1, 1, 197, 2);
  EXPECT_EQ(odd.getType(), tensor({kDyn, 98, 768}));
}

TEST_F(ClipOpsTest, GatherEmbeddingAndEosPooling) {
  Value table = arg({49408, 512});
  Value text = arg({kDyn, 77}, builder.getI64Type());
  auto emb = builder.create<GatherOp>(loc, table, text, /*axis=*/0,
                                      /*batch_dims=*/0);
  EXPECT_EQ(emb.getType(), tensor({kDyn, 77, 512}));

  Value eos = arg({kDyn}, builder.getI64Type());
  auto pooled = builder.create<GatherOp>(loc, emb, eos, 1, 1);
  EXPECT_EQ(pooled.getType(), tensor({kDyn, 512}));
  EXPECT_EQ(verifyMessages(pooled), "");
}

TEST_F(ClipOpsTest, ConvPoolBatchNorm) {
  Value image = arg({2, 3, 224, 224}), w = arg({768, 3, 16, 16});
  auto patches = builder.create<Conv2DOp>(
      loc, image, w, /*bias=*/Value(), builder.getDenseI64ArrayAttr({16, 16}),
      builder.getDenseI64ArrayAttr({0, 0}), /*dilation=*/nullptr,
      /*groups=*/1);
  EXPECT_EQ(patches.getType(), tensor({2, 768, 14, 14}));

  // RN50 stem: 3x3 stride 2 padding 1, then a depthwise (grouped) conv.
  Value stem_w = arg({32, 3, 3, 3});
  auto stem = builder.create<Conv2DOp>(
      loc, image, stem_w, Value(), builder.getDenseI64ArrayAttr({2, 2}),
      builder.getDenseI64ArrayAttr({1, 1}), nullptr, 1);
  EXPECT_EQ(stem.getType(), tensor({2, 32, 112, 112}));
  Value dw_w = arg({32, 1, 3, 3}), dw_b = arg({32});
  auto dw = builder.create<Conv2DOp>(loc, stem, dw_w, dw_b,
                                     builder.getDenseI64ArrayAttr({1, 1}),
                                     builder.getDenseI64ArrayAttr({2, 2}),
                                     builder.getDenseI64ArrayAttr({2, 2}),
                                     /*groups=*/32);
  EXPECT_EQ(dw.getType(), tensor({2, 32, 112, 112}));
  EXPECT_EQ(verifyMessages(dw), "");

  auto pool = builder.create<AvgPool2DOp>(loc, stem,
                                          builder.getDenseI64ArrayAttr({2, 2}),
                                          builder.getDenseI64ArrayAttr({2, 2}),
                                          builder.getDenseI64ArrayAttr({0, 0}));
  EXPECT_EQ(pool.getType(), tensor({2, 32, 56, 56}));

  Value c = arg({32});
  auto bn = builder.create<BatchNormTrainOp>(loc, stem, c, c, c, c,
                                             builder.getF64FloatAttr(1e-5),
                                             builder.getF64FloatAttr(0.1));
  EXPECT_EQ(bn.getResult().getType(), tensor({2, 32, 112, 112}));
  EXPECT_EQ(bn.getNewRunningMean().getType(), tensor({32}));
  EXPECT_EQ(bn.getNewRunningVar().getType(), tensor({32}));
}

TEST_F(ClipOpsTest, ConvReportsChannelMismatch) {
  Value image = arg({2, 3, 32, 32}), w = arg({8, 4, 3, 3});
  auto conv =
      builder.create<Conv2DOp>(loc, tensor({2, 8, 30, 30}), image, w, Value(),
                               builder.getDenseI64ArrayAttr({1, 1}),
                               builder.getDenseI64ArrayAttr({0, 0}), nullptr,
                               builder.getI64IntegerAttr(1));
  EXPECT_NE(verifyMessages(conv).find("input has 3 channels but weight "
                                      "[8x4x3x3] with groups 1 expects 4"),
            std::string::npos);
}

TEST_F(ClipOpsTest, FoldingFromCpp) {
  Value x = arg({2, 3});
  auto t1 =
      builder.create<TransposeOp>(loc, x, builder.getDenseI64ArrayAttr({1, 0}));
  Value folded = builder.createOrFold<TransposeOp>(
      loc, t1, builder.getDenseI64ArrayAttr({1, 0}));
  EXPECT_EQ(folded, x);

  auto two = builder.create<ConstantOp>(
      loc, DenseElementsAttr::get(tensor({}), builder.getF32FloatAttr(2.0f)));
  Value sum = builder.createOrFold<AddOp>(loc, two, two);
  auto constant = sum.getDefiningOp<ConstantOp>();
  ASSERT_TRUE(constant);
  auto value = llvm::cast<DenseElementsAttr>(constant.getValue());
  EXPECT_EQ(value.getSplatValue<float>(), 4.0f);
}

} // namespace

namespace {

// The Pointwise trait is the one definition of "pointwise" that fusion,
// in-place reuse and code generation ask: every elementwise op (MLIR's trait
// or ours) carries it, and the other ops that have it are the ones
// clip.elementwise may hold (cast, broadcast) and the group itself.
TEST(ClipTraitsTest, PointwiseOpsAreExactlyTheElementwiseOnes) {
  MLIRContext context;
  context.loadDialect<ClipDialect>();
  std::vector<std::string> pointwiseOthers;
  int pointwise = 0;
  for (RegisteredOperationName name : context.getRegisteredOperations()) {
    if (name.getDialectNamespace() != ClipDialect::getDialectNamespace())
      continue;
    const bool elementwise = name.hasTrait<OpTrait::Elementwise>() ||
                             name.hasTrait<BroadcastingElementwise>();
    const bool isPointwise = name.hasTrait<Pointwise>();
    if (elementwise) {
      EXPECT_TRUE(isPointwise)
          << name.getStringRef().str() << " is elementwise but not Pointwise";
    }
    if (isPointwise) {
      ++pointwise;
      if (!elementwise)
        pointwiseOthers.push_back(name.getStringRef().str());
    }
  }
  std::sort(pointwiseOthers.begin(), pointwiseOthers.end());
  EXPECT_EQ(pointwiseOthers,
            (std::vector<std::string>{"clip.broadcast", "clip.cast",
                                      "clip.elementwise"}));
  // The unary and binary elementwise ops and gelu_grad.
  EXPECT_GT(pointwise, 20);
}

} // namespace
