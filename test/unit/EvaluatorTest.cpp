//===- EvaluatorTest.cpp - The reference evaluator, op by op --------------===//
//
// Each test runs one small function through the evaluator and compares with
// values computed by hand (or with a formula written out independently of
// Kernels.cpp), so the oracle itself is checked before anything relies on it.
//
//===----------------------------------------------------------------------===//

#include "compiler/Reference/Evaluator.h"
#include "clip/IR/ClipDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

using namespace mlir;
using namespace mlir::clip;
using reference::Tensor;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

class EvaluatorTest : public ::testing::Test {
protected:
  EvaluatorTest() { context.loadDialect<ClipDialect, func::FuncDialect>(); }

  /// Parses `body` as `func.func @f`, evaluates it and returns result 0..n.
  /// `signature` is the text between `@f` and `{`.
  llvm::SmallVector<Tensor>
  run(const std::string &signature, const std::string &body,
      llvm::ArrayRef<Tensor> args = {}, reference::Bindings bindings = {},
      reference::Precision precision = reference::Precision::Float64) {
    error.clear();
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      error += diag.str();
      return success();
    });
    std::string text = "func.func @f" + signature + " {\n" + body + "\n}\n";
    module = parseSourceString<ModuleOp>(text, &context);
    if (!module) {
      ADD_FAILURE() << "parse failed: " << error << "\n" << text;
      return {};
    }
    auto func = module->lookupSymbol<func::FuncOp>("f");
    reference::EvaluateOptions options;
    options.precision = precision;
    options.updatedRunningStats = &updated;
    auto results = reference::evaluate(func, args, bindings, options);
    if (failed(results))
      return {};
    return *results;
  }

  static void expectNear(const Tensor &t, llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<double> expected, double tol = 1e-12) {
    ASSERT_EQ(llvm::ArrayRef<int64_t>(t.shape), shape);
    ASSERT_EQ(t.data.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      if (std::isinf(expected[i]))
        EXPECT_EQ(t.data[i], expected[i]) << "element " << i;
      else
        EXPECT_NEAR(t.data[i], expected[i], tol) << "element " << i;
    }
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  std::string error;
  llvm::StringMap<Tensor> updated;
};

Tensor t(llvm::ArrayRef<int64_t> shape, std::vector<double> data) {
  return Tensor(shape, std::move(data));
}

TEST_F(EvaluatorTest, ParamsInputsAndMissingBindings) {
  reference::Bindings b;
  b.params["w"] = t({2}, {1, 2});
  b.inputs["x"] = t({2}, {10, 20});
  auto r =
      run("() -> tensor<2xf32>",
          "%w = clip.param \"w\" : tensor<2xf32>\n"
          "%x = clip.input \"x\" : tensor<2xf32>\n"
          "%y = clip.add %w, %x : tensor<2xf32>\nreturn %y : tensor<2xf32>",
          {}, b);
  ASSERT_EQ(r.size(), 1u);
  expectNear(r[0], {2}, {11, 22});

  b.params.erase("w");
  EXPECT_TRUE(
      run("() -> tensor<2xf32>",
          "%w = clip.param \"w\" : tensor<2xf32>\nreturn %w : tensor<2xf32>",
          {}, b)
          .empty());
  EXPECT_NE(error.find("no tensor is bound to parameter 'w'"),
            std::string::npos)
      << error;

  b.params["w"] = t({3}, {1, 2, 3});
  EXPECT_TRUE(
      run("() -> tensor<2xf32>",
          "%w = clip.param \"w\" : tensor<2xf32>\nreturn %w : tensor<2xf32>",
          {}, b)
          .empty());
  EXPECT_NE(error.find("parameter 'w' is declared 2 but the bound tensor is 3"),
            std::string::npos)
      << error;
}

TEST_F(EvaluatorTest, DynamicShapesAreRejected) {
  EXPECT_TRUE(
      run("(%x: tensor<?x2xf32>) -> tensor<?x2xf32>",
          "%y = clip.neg %x : tensor<?x2xf32>\nreturn %y : tensor<?x2xf32>",
          {t({1, 2}, {1, 2})})
          .empty());
  EXPECT_NE(error.find("needs a static shape"), std::string::npos) << error;
}

TEST_F(EvaluatorTest, ConstantsIotaAndCausalMask) {
  auto r = run(
      "() -> (tensor<2x2xf32>, tensor<2x3xi64>, tensor<3x3xf32>, "
      "tensor<2x2xi1>)",
      "%c = clip.constant dense<[[1.5, -2.0], [0.25, 4.0]]> : tensor<2x2xf32>\n"
      "%i = clip.iota dim 1 : tensor<2x3xi64>\n"
      "%m = clip.causal_mask : tensor<3x3xf32>\n"
      "%b = clip.causal_mask : tensor<2x2xi1>\n"
      "return %c, %i, %m, %b : tensor<2x2xf32>, tensor<2x3xi64>, "
      "tensor<3x3xf32>, tensor<2x2xi1>");
  ASSERT_EQ(r.size(), 4u);
  expectNear(r[0], {2, 2}, {1.5, -2.0, 0.25, 4.0});
  expectNear(r[1], {2, 3}, {0, 1, 2, 0, 1, 2});
  expectNear(r[2], {3, 3}, {0, -kInf, -kInf, 0, 0, -kInf, 0, 0, 0});
  expectNear(r[3], {2, 2}, {1, 0, 1, 1});
}

TEST_F(EvaluatorTest, UnaryOps) {
  const std::string ty = "tensor<3xf64>";
  std::vector<std::pair<std::string, std::function<double(double)>>> cases = {
      {"neg", [](double x) { return -x; }},
      {"exp", [](double x) { return std::exp(x); }},
      {"log", [](double x) { return std::log(x); }},
      {"sqrt", [](double x) { return std::sqrt(x); }},
      {"rsqrt", [](double x) { return 1 / std::sqrt(x); }},
      {"tanh", [](double x) { return std::tanh(x); }},
      {"sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"erf", [](double x) { return std::erf(x); }},
      // GELU variants against their textbook definitions.
      {"gelu",
       [](double x) { return x * 0.5 * std::erfc(-x / std::sqrt(2.0)); }},
      {"gelu approximate tanh",
       [](double x) {
         return 0.5 * x *
                (1 +
                 std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
       }},
      {"gelu approximate quick",
       [](double x) { return x / (1 + std::exp(-1.702 * x)); }},
  };
  const std::vector<double> in = {0.5, 1.0, 2.25};
  for (auto &[name, fn] : cases) {
    std::string op = name, attrs;
    if (auto space = name.find(' '); space != std::string::npos) {
      op = name.substr(0, space);
      attrs = name.substr(space);
    }
    auto r = run("(%x: " + ty + ") -> " + ty,
                 "%y = clip." + op + " %x" + attrs + " : " + ty +
                     "\nreturn %y : " + ty,
                 {t({3}, in)});
    ASSERT_EQ(r.size(), 1u) << name << ": " << error;
    expectNear(r[0], {3}, {fn(in[0]), fn(in[1]), fn(in[2])}, 1e-14);
  }
  // Hand values: gelu(1) = 0.8413447460685429, quick_gelu(1) = 0.8457957...
  auto r = run("(%x: tensor<1xf64>) -> tensor<1xf64>",
               "%y = clip.gelu %x : tensor<1xf64>\nreturn %y : tensor<1xf64>",
               {t({1}, {1.0})});
  expectNear(r[0], {1}, {0.8413447460685429}, 1e-15);
}

TEST_F(EvaluatorTest, CastRoundsAndTruncates) {
  auto r = run(
      "(%x: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xbf16>, tensor<4xi1>)",
      "%i = clip.cast %x : tensor<4xf32> to tensor<4xi32>\n"
      "%h = clip.cast %x : tensor<4xf32> to tensor<4xbf16>\n"
      "%b = clip.cast %x : tensor<4xf32> to tensor<4xi1>\n"
      "return %i, %h, %b : tensor<4xi32>, tensor<4xbf16>, tensor<4xi1>",
      {t({4}, {-1.75, 2.5, 0.0, 1.00390625})});
  ASSERT_EQ(r.size(), 3u);
  expectNear(r[0], {4}, {-1, 2, 0, 1});
  // bf16 keeps 8 significant bits: 1 + 2^-8 rounds (ties to even) to 1.
  expectNear(r[1], {4}, {-1.75, 2.5, 0.0, 1.0});
  expectNear(r[2], {4}, {1, 1, 0, 1});
}

TEST_F(EvaluatorTest, BinaryOpsBroadcast) {
  // [2,1] op [3] -> [2,3]
  Tensor a = t({2, 1}, {6, -4}), b = t({3}, {1, 2, 3});
  auto rt = "(tensor<2x1xf64>, tensor<3xf64>) -> tensor<2x3xf64>";
  auto binary = [&](const std::string &op) {
    auto r = run("(%a: tensor<2x1xf64>, %b: tensor<3xf64>) -> tensor<2x3xf64>",
                 "%y = clip." + op + " %a, %b : " + rt +
                     "\nreturn %y : tensor<2x3xf64>",
                 {a, b});
    EXPECT_EQ(r.size(), 1u) << op << ": " << error;
    return r.empty() ? Tensor() : r[0];
  };
  expectNear(binary("add"), {2, 3}, {7, 8, 9, -3, -2, -1});
  expectNear(binary("sub"), {2, 3}, {5, 4, 3, -5, -6, -7});
  expectNear(binary("mul"), {2, 3}, {6, 12, 18, -4, -8, -12});
  expectNear(binary("div"), {2, 3}, {6, 3, 2, -4, -2, -4.0 / 3});
  expectNear(binary("max"), {2, 3}, {6, 6, 6, 1, 2, 3});
  expectNear(binary("min"), {2, 3}, {1, 2, 3, -4, -4, -4});

  auto r =
      run("(%a: tensor<3xi64>, %b: tensor<3xi64>) -> tensor<3xi64>",
          "%y = clip.div %a, %b : tensor<3xi64>\nreturn %y : tensor<3xi64>",
          {t({3}, {7, -7, 6}), t({3}, {2, 2, 3})});
  expectNear(r[0], {3}, {3, -3, 2}); // truncation toward zero
}

TEST_F(EvaluatorTest, CompareAndSelect) {
  const char *preds[] = {"eq", "ne", "lt", "le", "gt", "ge"};
  const std::vector<std::vector<double>> expected = {
      {0, 1, 0}, {1, 0, 1}, {1, 0, 0}, {1, 1, 0}, {0, 0, 1}, {0, 1, 1}};
  for (int i = 0; i < 6; ++i) {
    auto r = run("(%a: tensor<3xf32>, %b: tensor<f32>) -> tensor<3xi1>",
                 std::string("%y = clip.cmp ") + preds[i] +
                     ", %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>\n"
                     "return %y : tensor<3xi1>",
                 {t({3}, {1, 2, 3}), t({}, {2})});
    ASSERT_EQ(r.size(), 1u) << preds[i] << ": " << error;
    expectNear(r[0], {3}, expected[i]);
  }
  auto r = run("(%c: tensor<2x2xi1>, %a: tensor<2x2xf32>, %b: tensor<f32>) -> "
               "tensor<2x2xf32>",
               "%y = clip.select %c, %a, %b : (tensor<2x2xi1>, "
               "tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>\n"
               "return %y : tensor<2x2xf32>",
               {t({2, 2}, {1, 0, 0, 1}), t({2, 2}, {1, 2, 3, 4}), t({}, {-9})});
  ASSERT_EQ(r.size(), 1u) << error;
  expectNear(r[0], {2, 2}, {1, -9, -9, 4});
}

TEST_F(EvaluatorTest, MatmulWithTransposesAndBatchBroadcast) {
  Tensor a = t({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = t({3, 2}, {7, 8, 9, 10, 11, 12});
  auto r = run("(%a: tensor<2x3xf64>, %b: tensor<3x2xf64>) -> "
               "(tensor<2x2xf64>, tensor<3x3xf64>)",
               "%y = clip.matmul %a, %b : (tensor<2x3xf64>, tensor<3x2xf64>) "
               "-> tensor<2x2xf64>\n"
               "%z = clip.matmul %a, %b transpose_lhs transpose_rhs : "
               "(tensor<2x3xf64>, tensor<3x2xf64>) -> tensor<3x3xf64>\n"
               "return %y, %z : tensor<2x2xf64>, tensor<3x3xf64>",
               {a, b});
  ASSERT_EQ(r.size(), 2u) << error;
  expectNear(r[0], {2, 2}, {58, 64, 139, 154});
  // a^T b^T = (b a)^T; b a = [[39,54,69],[49,68,87],[59,82,105]]
  expectNear(r[1], {3, 3}, {39, 49, 59, 54, 68, 82, 69, 87, 105});

  // Batch [2] x unbatched rhs.
  auto s =
      run("(%a: tensor<2x1x2xf64>, %b: tensor<2x2xf64>) -> tensor<2x1x2xf64>",
          "%y = clip.matmul %a, %b : (tensor<2x1x2xf64>, tensor<2x2xf64>) -> "
          "tensor<2x1x2xf64>\n"
          "return %y : tensor<2x1x2xf64>",
          {t({2, 1, 2}, {1, 0, 0, 1}), t({2, 2}, {1, 2, 3, 4})});
  ASSERT_EQ(s.size(), 1u) << error;
  expectNear(s[0], {2, 1, 2}, {1, 2, 3, 4});
}

TEST_F(EvaluatorTest, ReductionsAndArgmax) {
  Tensor x = t({2, 3}, {1, 5, 3, 4, 2, 6});
  auto r = run(
      "(%x: tensor<2x3xf64>) -> (tensor<2xf64>, tensor<1x3xf64>, tensor<f64>, "
      "tensor<2xi64>, tensor<1x3xi64>)",
      "%s = clip.reduce_sum %x axes [1] : tensor<2x3xf64> -> tensor<2xf64>\n"
      "%m = clip.reduce_mean %x axes [0] keepdims : tensor<2x3xf64> -> "
      "tensor<1x3xf64>\n"
      "%x2 = clip.reduce_max %x axes [0, 1] : tensor<2x3xf64> -> tensor<f64>\n"
      "%a = clip.argmax %x axis 1 : tensor<2x3xf64> -> tensor<2xi64>\n"
      "%b = clip.argmax %x axis 0 keepdims : tensor<2x3xf64> -> "
      "tensor<1x3xi64>\n"
      "return %s, %m, %x2, %a, %b : tensor<2xf64>, tensor<1x3xf64>, "
      "tensor<f64>, tensor<2xi64>, tensor<1x3xi64>",
      {x});
  ASSERT_EQ(r.size(), 5u) << error;
  expectNear(r[0], {2}, {9, 12});
  expectNear(r[1], {1, 3}, {2.5, 3.5, 4.5});
  expectNear(r[2], {}, {6});
  expectNear(r[3], {2}, {1, 2});
  expectNear(r[4], {1, 3}, {1, 0, 1});

  // Ties pick the first index, as torch.argmax (EOS pooling relies on it).
  auto tie = run("(%x: tensor<4xi64>) -> tensor<i64>",
                 "%a = clip.argmax %x axis 0 : tensor<4xi64> -> "
                 "tensor<i64>\nreturn %a : tensor<i64>",
                 {t({4}, {3, 9, 9, 1})});
  ASSERT_EQ(tie.size(), 1u) << error;
  expectNear(tie[0], {}, {1});
}

TEST_F(EvaluatorTest, SoftmaxAndLogSoftmax) {
  // Row [0, ln 2, ln 3, -inf]: exp = [1, 2, 3, 0] -> softmax [1/6, 2/6, 3/6,
  // 0].
  Tensor x = t({1, 4}, {0, std::log(2.0), std::log(3.0), -kInf});
  auto r = run("(%x: tensor<1x4xf64>) -> (tensor<1x4xf64>, tensor<1x4xf64>)",
               "%s = clip.softmax %x axis 1 : tensor<1x4xf64>\n"
               "%l = clip.log_softmax %x axis 1 : tensor<1x4xf64>\n"
               "return %s, %l : tensor<1x4xf64>, tensor<1x4xf64>",
               {x});
  ASSERT_EQ(r.size(), 2u) << error;
  expectNear(r[0], {1, 4}, {1.0 / 6, 2.0 / 6, 3.0 / 6, 0});
  expectNear(r[1], {1, 4},
             {std::log(1.0 / 6), std::log(2.0 / 6), std::log(3.0 / 6), -kInf});
  // Large logits do not overflow (the max is subtracted first).
  auto big = run(
      "(%x: tensor<2xf64>) -> tensor<2xf64>",
      "%s = clip.softmax %x axis 0 : tensor<2xf64>\nreturn %s : tensor<2xf64>",
      {t({2}, {1000, 1000})});
  expectNear(big[0], {2}, {0.5, 0.5});
}

TEST_F(EvaluatorTest, ShapeOps) {
  Tensor x = t({2, 3}, {0, 1, 2, 3, 4, 5});
  auto r = run(
      "(%x: tensor<2x3xf64>) -> (tensor<3x2xf64>, tensor<3x2xf64>, "
      "tensor<2x2x3xf64>, tensor<2x6xf64>, tensor<2x2xf64>, tensor<1x3xf64>)",
      "%r = clip.reshape %x [3, -1] : tensor<2x3xf64> -> tensor<3x2xf64>\n"
      "%t = clip.transpose %x [1, 0] : tensor<2x3xf64> -> tensor<3x2xf64>\n"
      "%b = clip.broadcast %x : tensor<2x3xf64> -> tensor<2x2x3xf64>\n"
      "%c = clip.concat %x, %x axis 1 : (tensor<2x3xf64>, tensor<2x3xf64>) -> "
      "tensor<2x6xf64>\n"
      "%s = clip.slice %x axis 1 from 0 to 3 step 2 : tensor<2x3xf64> -> "
      "tensor<2x2xf64>\n"
      "%s1 = clip.slice %x axis 0 from 1 to 2 : tensor<2x3xf64> -> "
      "tensor<1x3xf64>\n"
      "return %r, %t, %b, %c, %s, %s1 : tensor<3x2xf64>, tensor<3x2xf64>, "
      "tensor<2x2x3xf64>, tensor<2x6xf64>, tensor<2x2xf64>, tensor<1x3xf64>",
      {x});
  ASSERT_EQ(r.size(), 6u) << error;
  expectNear(r[0], {3, 2}, {0, 1, 2, 3, 4, 5});
  expectNear(r[1], {3, 2}, {0, 3, 1, 4, 2, 5});
  expectNear(r[2], {2, 2, 3}, {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5});
  expectNear(r[3], {2, 6}, {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  expectNear(r[4], {2, 2}, {0, 2, 3, 5});
  expectNear(r[5], {1, 3}, {3, 4, 5});

  // A 3-d permutation: y[i,j,k] = x[k,i,j] for perm [2, 0, 1].
  Tensor z = t({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  auto p = run("(%x: tensor<2x2x2xf64>) -> tensor<2x2x2xf64>",
               "%t = clip.transpose %x [2, 0, 1] : tensor<2x2x2xf64> -> "
               "tensor<2x2x2xf64>\n"
               "return %t : tensor<2x2x2xf64>",
               {z});
  ASSERT_EQ(p.size(), 1u) << error;
  // y[a,b,c] = x[b,c,a]
  expectNear(p[0], {2, 2, 2}, {0, 2, 4, 6, 1, 3, 5, 7});
}

TEST_F(EvaluatorTest, GatherEmbeddingRowsAndEosPooling) {
  Tensor table = t({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});
  auto r =
      run("(%w: tensor<4x2xf64>, %ids: tensor<2x2xi64>) -> tensor<2x2x2xf64>",
          "%e = clip.gather %w[%ids] axis 0 : (tensor<4x2xf64>, "
          "tensor<2x2xi64>) -> tensor<2x2x2xf64>\n"
          "return %e : tensor<2x2x2xf64>",
          {table, t({2, 2}, {3, 0, 1, 1})});
  ASSERT_EQ(r.size(), 1u) << error;
  expectNear(r[0], {2, 2, 2}, {30, 31, 0, 1, 10, 11, 10, 11});

  // x[arange(B), eos[b]] on [B=2, L=3, D=2].
  Tensor x = t({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  auto p =
      run("(%x: tensor<2x3x2xf64>, %eos: tensor<2xi64>) -> tensor<2x2xf64>",
          "%e = clip.gather %x[%eos] axis 1 batch_dims 1 : (tensor<2x3x2xf64>, "
          "tensor<2xi64>) -> tensor<2x2xf64>\n"
          "return %e : tensor<2x2xf64>",
          {x, t({2}, {2, 0})});
  ASSERT_EQ(p.size(), 1u) << error;
  expectNear(p[0], {2, 2}, {4, 5, 6, 7});

  auto bad =
      run("(%w: tensor<4x2xf64>, %ids: tensor<1xi64>) -> tensor<1x2xf64>",
          "%e = clip.gather %w[%ids] axis 0 : (tensor<4x2xf64>, tensor<1xi64>) "
          "-> tensor<1x2xf64>\n"
          "return %e : tensor<1x2xf64>",
          {table, t({1}, {4})});
  EXPECT_TRUE(bad.empty());
  EXPECT_NE(error.find("index 4 is out of range for dim 0 of size 4"),
            std::string::npos)
      << error;
}

TEST_F(EvaluatorTest, Conv2dStridePaddingGroupsBias) {
  // 1x1x3x3 input 1..9, 2x2 kernel of ones, stride 1, no padding: window sums.
  Tensor x = t({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor w = t({1, 1, 2, 2}, {1, 1, 1, 1});
  auto r =
      run("(%x: tensor<1x1x3x3xf64>, %w: tensor<1x1x2x2xf64>, %b: "
          "tensor<1xf64>) -> (tensor<1x1x2x2xf64>, tensor<1x1x2x2xf64>)",
          "%y = clip.conv2d %x, %w bias %b stride [1, 1] padding [0, 0] : "
          "(tensor<1x1x3x3xf64>, tensor<1x1x2x2xf64>, tensor<1xf64>) -> "
          "tensor<1x1x2x2xf64>\n"
          "%z = clip.conv2d %x, %w stride [2, 2] padding [1, 1] : "
          "(tensor<1x1x3x3xf64>, tensor<1x1x2x2xf64>) -> tensor<1x1x2x2xf64>\n"
          "return %y, %z : tensor<1x1x2x2xf64>, tensor<1x1x2x2xf64>",
          {x, w, t({1}, {100})});
  ASSERT_EQ(r.size(), 2u) << error;
  expectNear(r[0], {1, 1, 2, 2}, {112, 116, 124, 128});
  // Padded by 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1).
  expectNear(r[1], {1, 1, 2, 2}, {1, 2 + 3, 4 + 7, 5 + 6 + 8 + 9});

  // Depthwise (groups 2): each channel with its own 1x1 weight.
  auto g =
      run("(%x: tensor<1x2x1x2xf64>, %w: tensor<2x1x1x1xf64>) -> "
          "tensor<1x2x1x2xf64>",
          "%y = clip.conv2d %x, %w stride [1, 1] padding [0, 0] groups 2 : "
          "(tensor<1x2x1x2xf64>, tensor<2x1x1x1xf64>) -> tensor<1x2x1x2xf64>\n"
          "return %y : tensor<1x2x1x2xf64>",
          {t({1, 2, 1, 2}, {1, 2, 3, 4}), t({2, 1, 1, 1}, {10, -1})});
  ASSERT_EQ(g.size(), 1u) << error;
  expectNear(g[0], {1, 2, 1, 2}, {10, 20, -3, -4});

  // Two input channels summed, dilation 2 on a 1x3 row.
  auto d = run(
      "(%x: tensor<1x2x1x3xf64>, %w: tensor<1x2x1x2xf64>) -> "
      "tensor<1x1x1x1xf64>",
      "%y = clip.conv2d %x, %w stride [1, 1] padding [0, 0] dilation [1, 2] : "
      "(tensor<1x2x1x3xf64>, tensor<1x2x1x2xf64>) -> tensor<1x1x1x1xf64>\n"
      "return %y : tensor<1x1x1x1xf64>",
      {t({1, 2, 1, 3}, {1, 2, 3, 4, 5, 6}), t({1, 2, 1, 2}, {1, 1, 1, 1})});
  ASSERT_EQ(d.size(), 1u) << error;
  expectNear(d[0], {1, 1, 1, 1}, {1 + 3 + 4 + 6});
}

TEST_F(EvaluatorTest, AvgPool) {
  Tensor x =
      t({1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  auto r = run("(%x: tensor<1x1x4x4xf64>) -> tensor<1x1x2x2xf64>",
               "%y = clip.avg_pool2d %x kernel [2, 2] stride [2, 2] padding "
               "[0, 0] : tensor<1x1x4x4xf64> -> tensor<1x1x2x2xf64>\n"
               "return %y : tensor<1x1x2x2xf64>",
               {x});
  ASSERT_EQ(r.size(), 1u) << error;
  expectNear(r[0], {1, 1, 2, 2}, {3.5, 5.5, 11.5, 13.5});
}

TEST_F(EvaluatorTest, BatchNormInferenceAndTraining) {
  // N=2, C=2, 1x1: channel 0 = {1, 3}, channel 1 = {2, 6}.
  Tensor x = t({2, 2, 1, 1}, {1, 2, 3, 6});
  Tensor gamma = t({2}, {2, 1}), beta = t({2}, {0, 1});
  Tensor mean = t({2}, {1, 0}), var = t({2}, {4, 1});
  reference::Bindings b;
  b.params["rm"] = mean;
  b.params["rv"] = var;
  const std::string sig =
      "(%x: tensor<2x2x1x1xf64>, %g: tensor<2xf64>, %b: tensor<2xf64>) -> "
      "(tensor<2x2x1x1xf64>, tensor<2x2x1x1xf64>, tensor<2xf64>, "
      "tensor<2xf64>)";
  auto r = run(sig,
               "%m = clip.param \"rm\" frozen : tensor<2xf64>\n"
               "%v = clip.param \"rv\" frozen : tensor<2xf64>\n"
               "%y = clip.batch_norm %x, %g, %b, %m, %v epsilon 1.0e-01 : "
               "(tensor<2x2x1x1xf64>, tensor<2xf64>, tensor<2xf64>, "
               "tensor<2xf64>, tensor<2xf64>) -> tensor<2x2x1x1xf64>\n"
               "%t, %m1, %v1 = clip.batch_norm_train %x, %g, %b, %m, %v "
               "epsilon 1.0e-01 momentum 5.0e-01 : (tensor<2x2x1x1xf64>, "
               "tensor<2xf64>, tensor<2xf64>, tensor<2xf64>, tensor<2xf64>) -> "
               "(tensor<2x2x1x1xf64>, tensor<2xf64>, tensor<2xf64>)\n"
               "return %y, %t, %m1, %v1 : tensor<2x2x1x1xf64>, "
               "tensor<2x2x1x1xf64>, tensor<2xf64>, tensor<2xf64>",
               {x, gamma, beta}, b);
  ASSERT_EQ(r.size(), 4u) << error;
  const double s0 = 1 / std::sqrt(4.1), s1 = 1 / std::sqrt(1.1);
  expectNear(
      r[0], {2, 2, 1, 1},
      {(1 - 1) * s0 * 2, (2 - 0) * s1 + 1, (3 - 1) * s0 * 2, (6 - 0) * s1 + 1});
  // Batch stats: ch0 mean 2 var 1 (unbiased 2), ch1 mean 4 var 4 (unbiased 8).
  const double t0 = 1 / std::sqrt(1.1), t1 = 1 / std::sqrt(4.1);
  expectNear(r[1], {2, 2, 1, 1}, {-t0 * 2, -2 * t1 + 1, t0 * 2, 2 * t1 + 1});
  expectNear(r[2], {2}, {0.5 * 1 + 0.5 * 2, 0.5 * 0 + 0.5 * 4});
  expectNear(r[3], {2}, {0.5 * 4 + 0.5 * 2, 0.5 * 1 + 0.5 * 8});
  ASSERT_EQ(updated.count("rm"), 1u);
  expectNear(updated["rm"], {2}, {1.5, 2});
  expectNear(updated["rv"], {2}, {3, 4.5});
}

TEST_F(EvaluatorTest, LayerNormAndAddLayerNorm) {
  // Row [1, 2, 3, 6]: mean 3, var (4 + 1 + 0 + 9) / 4 = 3.5.
  Tensor x = t({1, 4}, {1, 2, 3, 6});
  Tensor zeros = t({1, 4}, {0, 0, 0, 0});
  Tensor w = t({4}, {1, 2, 1, 1}), b = t({4}, {0, 0, 10, 0});
  auto r = run(
      "(%x: tensor<1x4xf64>, %z: tensor<1x4xf64>, %w: tensor<4xf64>, %b: "
      "tensor<4xf64>) -> (tensor<1x4xf64>, tensor<1x1xf64>, tensor<1x1xf64>, "
      "tensor<1x4xf64>, tensor<1x4xf64>)",
      "%y, %m, %r = clip.layer_norm %x, %w, %b epsilon 5.0e-01 : "
      "(tensor<1x4xf64>, tensor<4xf64>, tensor<4xf64>) -> (tensor<1x4xf64>, "
      "tensor<1x1xf64>, tensor<1x1xf64>)\n"
      "%s, %y2, %m2, %r2 = clip.add_layer_norm %z, %x, %w, %b epsilon 5.0e-01 "
      ": (tensor<1x4xf64>, tensor<1x4xf64>, tensor<4xf64>, tensor<4xf64>) -> "
      "(tensor<1x4xf64>, tensor<1x4xf64>, tensor<1x1xf64>, tensor<1x1xf64>)\n"
      "return %y, %m, %r, %s, %y2 : tensor<1x4xf64>, tensor<1x1xf64>, "
      "tensor<1x1xf64>, tensor<1x4xf64>, tensor<1x4xf64>",
      {x, zeros, w, b});
  ASSERT_EQ(r.size(), 5u) << error;
  const double rstd = 0.5; // 1 / sqrt(3.5 + 0.5)
  const std::vector<double> y = {-2 * rstd, -1 * rstd * 2, 0 + 10, 3 * rstd};
  expectNear(r[0], {1, 4}, y);
  expectNear(r[1], {1, 1}, {3});
  expectNear(r[2], {1, 1}, {rstd});
  expectNear(r[3], {1, 4}, {1, 2, 3, 6});
  expectNear(r[4], {1, 4}, y);
}

TEST_F(EvaluatorTest, CallsAreEvaluatedRecursively) {
  std::string text =
      "func.func private @twice(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
      "  %y = clip.add %x, %x : tensor<2xf32>\n  return %y : "
      "tensor<2xf32>\n}\n";
  error.clear();
  module = parseSourceString<ModuleOp>(
      text + "func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
             "  %a = func.call @twice(%x) : (tensor<2xf32>) -> tensor<2xf32>\n"
             "  %b = func.call @twice(%a) : (tensor<2xf32>) -> tensor<2xf32>\n"
             "  return %b : tensor<2xf32>\n}\n",
      &context);
  ASSERT_TRUE(module);
  auto results = reference::evaluate(module->lookupSymbol<func::FuncOp>("f"),
                                     {t({2}, {1, -2})}, {});
  ASSERT_TRUE(succeeded(results));
  expectNear((*results)[0], {2}, {4, -8});
}

TEST_F(EvaluatorTest, AsDeclaredRoundsEachResult) {
  // 1 + 2^-30 is not an f32: the sum rounds to 1 in f32, not in f64.
  Tensor x = t({1}, {1.0});
  Tensor y = t({1}, {std::ldexp(1.0, -30)});
  const std::string sig =
      "(%x: tensor<1xf32>, %y: tensor<1xf32>) -> tensor<1xf32>";
  const std::string body =
      "%z = clip.add %x, %y : tensor<1xf32>\nreturn %z : tensor<1xf32>";
  auto f32 = run(sig, body, {x, y}, {}, reference::Precision::AsDeclared);
  auto f64 = run(sig, body, {x, y}, {}, reference::Precision::Float64);
  ASSERT_EQ(f32.size(), 1u);
  ASSERT_EQ(f64.size(), 1u);
  EXPECT_EQ(f32[0].data[0], 1.0);
  EXPECT_EQ(f64[0].data[0], 1.0 + std::ldexp(1.0, -30));
}

} // namespace
