//===- GradientTest.cpp - Every gradient rule against finite differences --===//
//
// For each differentiable op, a small f64 function of trainable parameters
// (shapes chosen to exercise broadcasting) is reduced to a scalar loss with
// a random frozen weighting, differentiated by clip-autodiff, and each
// gradient compared with central finite differences of the reference
// evaluator.
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
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::clip;
using reference::Tensor;

namespace {

struct GradientCase {
  const char *name;
  /// Trainable parameters "name: shape" (f64), e.g. {"a", "2x3"}.
  std::vector<std::pair<const char *, const char *>> params;
  /// Ops that define `%y` from the parameters (`%a`, `%b`, ...).
  const char *body;
  /// The shape of `%y` ("" for a scalar).
  const char *resultShape;
  /// Parameters drawn from [0.5, 2] instead of N(0, 1) (log, sqrt, ...).
  bool positive = false;
};

std::ostream &operator<<(std::ostream &os, const GradientCase &c) {
  return os << c.name;
}

class GradientTest : public ::testing::TestWithParam<GradientCase> {
protected:
  GradientTest() { context.loadDialect<ClipDialect, func::FuncDialect>(); }

  /// `@forward`: the case's body, then loss = sum(%y * weights).
  static std::string source(const GradientCase &c) {
    std::string text = "func.func @forward() -> tensor<f64> {\n";
    for (auto [name, shape] : c.params)
      text += std::string("  %") + name + " = clip.param \"" + name +
              "\" : tensor<" + (*shape ? std::string(shape) + "x" : "") +
              "f64>\n";
    text += c.body;
    const std::string shape = c.resultShape;
    const std::string y =
        shape.empty() ? "tensor<f64>" : "tensor<" + shape + "xf64>";
    text += "  %weights = clip.param \"weights\" frozen : " + y + "\n";
    text += "  %weighted = clip.mul %y, %weights : " + y + "\n";
    if (shape.empty())
      return text + "  return %weighted : tensor<f64>\n}\n";
    std::string axes;
    const int rank =
        1 + static_cast<int>(std::count(shape.begin(), shape.end(), 'x'));
    for (int d = 0; d < rank; ++d)
      axes += (d ? ", " : "") + std::to_string(d);
    text += "  %loss = clip.reduce_sum %weighted axes [" + axes + "] : " + y +
            " -> tensor<f64>\n  return %loss : tensor<f64>\n}\n";
    return text;
  }

  MLIRContext context;
};

TEST_P(GradientTest, MatchesCentralDifferences) {
  const GradientCase &c = GetParam();
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(source(c), &context);
  ASSERT_TRUE(module) << source(c);
  PassManager pm(&context);
  pm.addPass(createAutodiff());
  ASSERT_TRUE(succeeded(pm.run(*module))) << source(c);
  auto forward = module->lookupSymbol<func::FuncOp>("forward");
  auto train = module->lookupSymbol<func::FuncOp>("train_step");

  // Random parameters and weights.
  std::mt19937_64 rng(2026);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.5, 2.0);
  reference::Bindings bindings;
  forward.walk([&](ParamOp p) {
    Tensor t = Tensor::filled(cast<RankedTensorType>(p.getType()).getShape());
    for (double &v : t.data)
      v = c.positive && !p.getFrozen() ? uniform(rng) : normal(rng);
    bindings.params[p.getName()] = std::move(t);
  });
  reference::EvaluateOptions options;
  options.precision = reference::Precision::Float64;
  auto loss = [&]() {
    auto r = reference::evaluate(forward, {}, bindings, options);
    EXPECT_TRUE(succeeded(r));
    return succeeded(r) ? (*r)[0].data[0] : NAN;
  };
  auto grads = reference::evaluate(train, {}, bindings, options);
  ASSERT_TRUE(succeeded(grads));
  EXPECT_NEAR((*grads)[0].data[0], loss(), 1e-12) << "the loss itself";

  // Loss, the gradients, then (training-mode BatchNorm) running updates.
  ASSERT_GE(grads->size(), c.params.size() + 1);
  for (auto [index, param] : llvm::enumerate(c.params)) {
    auto attr =
        train.getResultAttrOfType<StringAttr>(index + 1, "clip.gradient");
    ASSERT_TRUE(attr);
    EXPECT_EQ(attr.getValue(), param.first);
    Tensor &value = bindings.params[param.first];
    const Tensor &gradient = (*grads)[index + 1];
    double diff = 0, norm = 0;
    for (size_t i = 0; i < value.data.size(); ++i) {
      const double h = 1e-6, saved = value.data[i];
      value.data[i] = saved + h;
      const double up = loss();
      value.data[i] = saved - h;
      const double down = loss();
      value.data[i] = saved;
      const double numeric = (up - down) / (2 * h);
      diff += (gradient.data[i] - numeric) * (gradient.data[i] - numeric);
      norm += numeric * numeric;
    }
    // Central differences in f64 with h = 1e-6: truncation ~h^2, rounding
    // ~1e-16 / h; 1e-7 relative leaves a wide margin.
    EXPECT_LE(std::sqrt(diff / std::max(norm, 1e-30)), 1e-7)
        << c.name << ": gradient of " << param.first;
  }
}

const GradientCase cases[] = {
    {"neg", {{"a", "2x3"}}, "  %y = clip.neg %a : tensor<2x3xf64>\n", "2x3"},
    {"exp", {{"a", "2x3"}}, "  %y = clip.exp %a : tensor<2x3xf64>\n", "2x3"},
    {"log",
     {{"a", "2x3"}},
     "  %y = clip.log %a : tensor<2x3xf64>\n",
     "2x3",
     true},
    {"sqrt",
     {{"a", "2x3"}},
     "  %y = clip.sqrt %a : tensor<2x3xf64>\n",
     "2x3",
     true},
    {"rsqrt",
     {{"a", "2x3"}},
     "  %y = clip.rsqrt %a : tensor<2x3xf64>\n",
     "2x3",
     true},
    {"tanh", {{"a", "2x3"}}, "  %y = clip.tanh %a : tensor<2x3xf64>\n", "2x3"},
    {"sigmoid",
     {{"a", "2x3"}},
     "  %y = clip.sigmoid %a : tensor<2x3xf64>\n",
     "2x3"},
    {"erf", {{"a", "2x3"}}, "  %y = clip.erf %a : tensor<2x3xf64>\n", "2x3"},
    {"gelu", {{"a", "2x3"}}, "  %y = clip.gelu %a : tensor<2x3xf64>\n", "2x3"},
    {"gelu_tanh",
     {{"a", "2x3"}},
     "  %y = clip.gelu %a approximate tanh : tensor<2x3xf64>\n",
     "2x3"},
    {"quick_gelu",
     {{"a", "2x3"}},
     "  %y = clip.gelu %a approximate quick : tensor<2x3xf64>\n",
     "2x3"},
    {"cast",
     {{"a", "2x3"}},
     "  %c = clip.cast %a : tensor<2x3xf64> to tensor<2x3xf64>\n"
     "  %y = clip.mul %c, %c : tensor<2x3xf64>\n",
     "2x3"},
    {"add_broadcast",
     {{"a", "2x3x4"}, {"b", "3x1"}},
     "  %y = clip.add %a, %b : (tensor<2x3x4xf64>, tensor<3x1xf64>) -> "
     "tensor<2x3x4xf64>\n",
     "2x3x4"},
    {"sub_broadcast",
     {{"a", "4"}, {"b", "2x3x4"}},
     "  %y = clip.sub %a, %b : (tensor<4xf64>, tensor<2x3x4xf64>) -> "
     "tensor<2x3x4xf64>\n",
     "2x3x4"},
    {"mul_broadcast",
     {{"a", "2x1x4"}, {"b", "3x1"}},
     "  %y = clip.mul %a, %b : (tensor<2x1x4xf64>, tensor<3x1xf64>) -> "
     "tensor<2x3x4xf64>\n",
     "2x3x4"},
    {"div_broadcast",
     {{"a", "2x3"}, {"b", "3"}},
     "  %y = clip.div %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>\n",
     "2x3",
     true},
    {"max",
     {{"a", "2x3"}, {"b", "3"}},
     "  %y = clip.max %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>\n",
     "2x3"},
    {"min",
     {{"a", "2x3"}, {"b", "2x1"}},
     "  %y = clip.min %a, %b : (tensor<2x3xf64>, tensor<2x1xf64>) -> "
     "tensor<2x3xf64>\n",
     "2x3"},
    {"select",
     {{"a", "2x3"}, {"b", "3"}},
     "  %z = clip.constant dense<0.0> : tensor<f64>\n"
     "  %c = clip.cmp gt, %a, %z : (tensor<2x3xf64>, tensor<f64>) -> "
     "tensor<2x3xi1>\n"
     "  %y = clip.select %c, %a, %b : (tensor<2x3xi1>, tensor<2x3xf64>, "
     "tensor<3xf64>) -> tensor<2x3xf64>\n",
     "2x3"},
    // A fixed seed, so a fixed mask: the gradient is the same mask and
    // scale (about half the elements dropped at rate 0.5).
    {"dropout",
     {{"a", "4x5"}},
     "  %s = clip.constant dense<12345> : tensor<i64>\n"
     "  %y = clip.dropout %a, %s rate 5.000000e-01 stream 3 : "
     "(tensor<4x5xf64>, tensor<i64>) -> tensor<4x5xf64>\n",
     "4x5"},
    {"matmul",
     {{"a", "2x3"}, {"b", "3x4"}},
     "  %y = clip.matmul %a, %b : (tensor<2x3xf64>, tensor<3x4xf64>) -> "
     "tensor<2x4xf64>\n",
     "2x4"},
    {"matmul_weight",
     {{"a", "2x5x3"}, {"b", "4x3"}},
     "  %y = clip.matmul %a, %b transpose_rhs : (tensor<2x5x3xf64>, "
     "tensor<4x3xf64>) -> tensor<2x5x4xf64>\n",
     "2x5x4"},
    {"matmul_weight_plain",
     {{"a", "2x5x3"}, {"b", "3x4"}},
     "  %y = clip.matmul %a, %b : (tensor<2x5x3xf64>, tensor<3x4xf64>) -> "
     "tensor<2x5x4xf64>\n",
     "2x5x4"},
    {"matmul_transpose_lhs",
     {{"a", "3x2"}, {"b", "3x4"}},
     "  %y = clip.matmul %a, %b transpose_lhs : (tensor<3x2xf64>, "
     "tensor<3x4xf64>) -> tensor<2x4xf64>\n",
     "2x4"},
    {"matmul_both_transposed",
     {{"a", "2x3x2"}, {"b", "2x4x3"}},
     "  %y = clip.matmul %a, %b transpose_lhs transpose_rhs : "
     "(tensor<2x3x2xf64>, tensor<2x4x3xf64>) -> tensor<2x2x4xf64>\n",
     "2x2x4"},
    {"matmul_batch_broadcast",
     {{"a", "2x2x3"}, {"b", "1x3x4"}},
     "  %y = clip.matmul %a, %b : (tensor<2x2x3xf64>, tensor<1x3x4xf64>) -> "
     "tensor<2x2x4xf64>\n",
     "2x2x4"},
    {"reduce_sum",
     {{"a", "2x3x4"}},
     "  %y = clip.reduce_sum %a axes [1] keepdims : tensor<2x3x4xf64> -> "
     "tensor<2x1x4xf64>\n",
     "2x1x4"},
    {"reduce_mean",
     {{"a", "2x3x4"}},
     "  %y = clip.reduce_mean %a axes [0, 2] : tensor<2x3x4xf64> -> "
     "tensor<3xf64>\n",
     "3"},
    {"reduce_max",
     {{"a", "2x3x4"}},
     "  %y = clip.reduce_max %a axes [1] : tensor<2x3x4xf64> -> "
     "tensor<2x4xf64>\n",
     "2x4"},
    {"softmax",
     {{"a", "2x5"}},
     "  %y = clip.softmax %a axis 1 : tensor<2x5xf64>\n",
     "2x5"},
    {"log_softmax",
     {{"a", "3x4"}},
     "  %y = clip.log_softmax %a axis 0 : tensor<3x4xf64>\n",
     "3x4"},
    {"reshape",
     {{"a", "2x6"}},
     "  %y = clip.reshape %a [3, -1] : tensor<2x6xf64> -> tensor<3x4xf64>\n",
     "3x4"},
    {"transpose",
     {{"a", "2x3x4"}},
     "  %y = clip.transpose %a [2, 0, 1] : tensor<2x3x4xf64> -> "
     "tensor<4x2x3xf64>\n",
     "4x2x3"},
    {"broadcast",
     {{"a", "1x3"}},
     "  %y = clip.broadcast %a : tensor<1x3xf64> -> tensor<2x4x3xf64>\n",
     "2x4x3"},
    {"concat",
     {{"a", "2x1"}, {"b", "2x3"}},
     "  %y = clip.concat %a, %b, %a axis 1 : (tensor<2x1xf64>, "
     "tensor<2x3xf64>, tensor<2x1xf64>) -> tensor<2x5xf64>\n",
     "2x5"},
    {"slice",
     {{"a", "2x7"}},
     "  %y = clip.slice %a axis 1 from 1 to 6 step 2 : tensor<2x7xf64> -> "
     "tensor<2x3xf64>\n",
     "2x3"},
    {"gather_rows",
     {{"a", "4x3"}},
     "  %i = clip.constant dense<[[0, 2], [2, 3]]> : tensor<2x2xi64>\n"
     "  %y = clip.gather %a[%i] axis 0 : (tensor<4x3xf64>, tensor<2x2xi64>) -> "
     "tensor<2x2x3xf64>\n",
     "2x2x3"},
    {"gather_batch",
     {{"a", "2x5x3"}},
     "  %i = clip.constant dense<[4, 1]> : tensor<2xi64>\n"
     "  %y = clip.gather %a[%i] axis 1 batch_dims 1 : (tensor<2x5x3xf64>, "
     "tensor<2xi64>) -> tensor<2x3xf64>\n",
     "2x3"},
    {"conv2d",
     {{"x", "2x4x6x5"}, {"w", "6x2x3x2"}, {"b", "6"}},
     "  %y = clip.conv2d %x, %w bias %b stride [2, 1] padding [1, 0] dilation "
     "[1, 2] groups 2 : (tensor<2x4x6x5xf64>, tensor<6x2x3x2xf64>, "
     "tensor<6xf64>) -> tensor<2x6x3x3xf64>\n",
     "2x6x3x3"},
    {"conv2d_patches",
     {{"x", "1x3x8x8"}, {"w", "5x3x4x4"}},
     "  %y = clip.conv2d %x, %w stride [4, 4] padding [0, 0] : "
     "(tensor<1x3x8x8xf64>, tensor<5x3x4x4xf64>) -> tensor<1x5x2x2xf64>\n",
     "1x5x2x2"},
    {"avg_pool2d",
     {{"x", "2x3x5x4"}},
     "  %y = clip.avg_pool2d %x kernel [2, 2] stride [2, 1] padding [1, 0] : "
     "tensor<2x3x5x4xf64> -> tensor<2x3x3x3xf64>\n",
     "2x3x3x3"},
    {"batch_norm",
     {{"x", "2x3x2x2"}, {"g", "3"}, {"b", "3"}},
     "  %m = clip.param \"running_mean\" frozen : tensor<3xf64>\n"
     "  %v0 = clip.param \"running_var\" frozen : tensor<3xf64>\n"
     "  %v = clip.exp %v0 : tensor<3xf64>\n"
     "  %y = clip.batch_norm %x, %g, %b, %m, %v epsilon 1.0e-05 : "
     "(tensor<2x3x2x2xf64>, tensor<3xf64>, tensor<3xf64>, tensor<3xf64>, "
     "tensor<3xf64>) -> tensor<2x3x2x2xf64>\n",
     "2x3x2x2"},
    {"batch_norm_train",
     {{"x", "2x3x2x2"}, {"g", "3"}, {"b", "3"}},
     "  %m = clip.param \"running_mean\" frozen : tensor<3xf64>\n"
     "  %v0 = clip.param \"running_var\" frozen : tensor<3xf64>\n"
     "  %v = clip.exp %v0 : tensor<3xf64>\n"
     "  %y, %nm, %nv = clip.batch_norm_train %x, %g, %b, %m, %v epsilon "
     "1.0e-05 momentum 1.0e-01 : (tensor<2x3x2x2xf64>, tensor<3xf64>, "
     "tensor<3xf64>, tensor<3xf64>, tensor<3xf64>) -> (tensor<2x3x2x2xf64>, "
     "tensor<3xf64>, tensor<3xf64>)\n",
     "2x3x2x2"},
    // Fused ops and their fused backward ops.
    {"layer_norm",
     {{"x", "2x3x5"}, {"w", "5"}, {"b", "5"}},
     "  %y, %m, %r = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : "
     "(tensor<2x3x5xf64>, tensor<5xf64>, tensor<5xf64>) -> (tensor<2x3x5xf64>, "
     "tensor<2x3x1xf64>, tensor<2x3x1xf64>)\n",
     "2x3x5"},
    {"add_layer_norm",
     {{"x", "3x5"}, {"r", "3x5"}, {"w", "5"}, {"b", "5"}},
     "  %s, %n, %m, %q = clip.add_layer_norm %x, %r, %w, %b epsilon 1.0e-05 : "
     "(tensor<3x5xf64>, tensor<3x5xf64>, tensor<5xf64>, tensor<5xf64>) -> "
     "(tensor<3x5xf64>, tensor<3x5xf64>, tensor<3x1xf64>, tensor<3x1xf64>)\n"
     "  %y = clip.mul %s, %n : tensor<3x5xf64>\n",
     "3x5"},
    {"attention",
     {{"q", "2x2x3x4"}, {"k", "2x2x5x4"}, {"v", "2x2x5x3"}},
     "  %y, %l = clip.attention %q, %k, %v scale 0.5 : (tensor<2x2x3x4xf64>, "
     "tensor<2x2x5x4xf64>, tensor<2x2x5x3xf64>) -> (tensor<2x2x3x3xf64>, "
     "tensor<2x2x3xf64>)\n",
     "2x2x3x3"},
    {"attention_causal",
     {{"q", "2x4x3"}, {"k", "2x4x3"}, {"v", "2x4x2"}},
     "  %y, %l = clip.attention %q, %k, %v scale 0.7 causal : "
     "(tensor<2x4x3xf64>, tensor<2x4x3xf64>, tensor<2x4x2xf64>) -> "
     "(tensor<2x4x2xf64>, tensor<2x4xf64>)\n",
     "2x4x2"},
    {"contrastive_loss",
     {{"i", "4x3"}, {"t", "4x3"}, {"s", ""}},
     "  %y, %in, %tn, %il, %tl = clip.contrastive_loss %i, %t, %s epsilon "
     "1.0e-12 : (tensor<4x3xf64>, tensor<4x3xf64>, tensor<f64>) -> "
     "(tensor<f64>, tensor<4x1xf64>, tensor<4x1xf64>, tensor<4xf64>, "
     "tensor<4xf64>)\n",
     ""},
    {"sigmoid_loss",
     {{"i", "4x3"}, {"t", "4x3"}, {"s", ""}, {"b", ""}},
     "  %y, %in, %tn = clip.sigmoid_loss %i, %t, %s, %b epsilon 1.0e-12 : "
     "(tensor<4x3xf64>, tensor<4x3xf64>, tensor<f64>, tensor<f64>) -> "
     "(tensor<f64>, tensor<4x1xf64>, tensor<4x1xf64>)\n",
     ""},
    {"gemm_epilogue",
     {{"a", "2x3x4"}, {"w", "5x4"}, {"b", "5"}, {"r", "2x3x5"}},
     "  %y = clip.gemm %a, %w transpose_rhs bias %b activation gelu residual "
     "%r : (tensor<2x3x4xf64>, tensor<5x4xf64>, tensor<5xf64>, "
     "tensor<2x3x5xf64>) -> tensor<2x3x5xf64>\n",
     "2x3x5"},
    {"gemm_quick_gelu",
     {{"a", "4x3"}, {"w", "4x5"}},
     "  %y = clip.gemm %a, %w transpose_lhs activation quick_gelu : "
     "(tensor<4x3xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>\n",
     "3x5"},
    {"elementwise",
     {{"a", "2x3"}, {"b", "3"}},
     "  %y, %e = clip.elementwise (%a, %b) : (tensor<2x3xf64>, tensor<3xf64>) "
     "-> (tensor<2x3xf64>, tensor<3xf64>) {\n"
     "  ^bb0(%x: tensor<2x3xf64>, %z: tensor<3xf64>):\n"
     "    %c = clip.constant dense<2.0> : tensor<f64>\n"
     "    %ez = clip.exp %z : tensor<3xf64>\n"
     "    %m = clip.mul %x, %ez : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>\n"
     "    %t = clip.tanh %m : tensor<2x3xf64>\n"
     "    %s = clip.mul %t, %c : (tensor<2x3xf64>, tensor<f64>) -> "
     "tensor<2x3xf64>\n"
     "    clip.yield %s, %ez : tensor<2x3xf64>, tensor<3xf64>\n"
     "  }\n",
     "2x3"},
    // A value used twice, and a parameter reaching the loss by two paths.
    {"shared_value",
     {{"a", "2x3"}, {"b", "3"}},
     "  %t = clip.mul %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>\n"
     "  %e = clip.exp %t : tensor<2x3xf64>\n"
     "  %y = clip.div %e, %t : tensor<2x3xf64>\n",
     "2x3"},
};

INSTANTIATE_TEST_SUITE_P(
    Ops, GradientTest, ::testing::ValuesIn(cases),
    [](const ::testing::TestParamInfo<GradientCase> &info) {
      return std::string(info.param.name);
    });

} // namespace
