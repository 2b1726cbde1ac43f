//===- TrainStepTest.cpp - Binding a @train_step's outputs by role --------===//
//
// Hand-made function descriptors (no clip.so) behind an executor that only
// holds memory: which output is the loss, each gradient and updated
// statistic, the errors for what is not a training function, and the
// gathering, clipping and update of one step.
//
//===----------------------------------------------------------------------===//
#include "runtime/train/TrainStep.h"
#include "runtime/train/Initialize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>
#include <vector>

using namespace clip;
using clip::train::StepOutputs;
using clip::train::TrainStep;

namespace {

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  int32_t dtype = CLIP_F32;
};

/// A ClipFunctionDesc over storage it owns (deques keep the names and
/// shapes where the descriptors point).
class Function {
public:
  Function(const std::vector<Tensor> &params,
           const std::vector<Tensor> &outputs) {
    for (const Tensor &t : params)
      params_.push_back(describe(t));
    for (const Tensor &t : outputs)
      outputs_.push_back(describe(t));
    desc_.name = "train_step";
    desc_.numParams = static_cast<int32_t>(params_.size());
    desc_.numOutputs = static_cast<int32_t>(outputs_.size());
    desc_.params = params_.data();
    desc_.outputs = outputs_.data();
  }
  Function(const Function &) = delete; // the descriptors point inside
  const ClipFunctionDesc &desc() const { return desc_; }

private:
  ClipTensorDesc describe(const Tensor &t) {
    const Tensor &kept = tensors_.emplace_back(t);
    return {kept.name.c_str(), kept.dtype,
            static_cast<int32_t>(kept.shape.size()), kept.shape.data(), 0};
  }
  std::deque<Tensor> tensors_;
  std::vector<ClipTensorDesc> params_, outputs_;
  ClipFunctionDesc desc_{};
};

/// Parameters and outputs as host memory (f32); run() does nothing, the
/// tests write the outputs.
class MemoryExecutor final : public runtime::Executor {
public:
  explicit MemoryExecutor(const ClipFunctionDesc &fn) : Executor(fn) {
    for (int32_t i = 0; i < fn.numParams; ++i)
      params.emplace_back(runtime::elementCount(fn.params[i]), 0.0f);
    for (int32_t i = 0; i < fn.numOutputs; ++i)
      outputs.emplace_back(runtime::elementCount(fn.outputs[i]), 0.0f);
  }
  void *param(int32_t index) override { return params[index].data(); }
  void *input(int32_t) override { return nullptr; }
  void run() override {}
  const void *output(int32_t index) override { return outputs[index].data(); }
  std::string deviceName() const override { return "memory"; }

  std::vector<std::vector<float>> params, outputs;
};

/// A small training function: the loss, three gradients (out of parameter
/// order) and one BatchNorm statistic that has no gradient.
Function trainStep() {
  return Function({{"logit_scale", {}},
                   {"ln.weight", {3}},
                   {"proj", {2, 3}},
                   {"bn.running_mean", {3}}},
                  {{"result0", {}},
                   {"grad/proj", {2, 3}},
                   {"grad/logit_scale", {}},
                   {"grad/ln.weight", {3}},
                   {"update/bn.running_mean", {3}}});
}

std::string bindError(const Function &fn) {
  MemoryExecutor executor(fn.desc());
  try {
    TrainStep step(executor, "model.so");
  } catch (const runtime::RuntimeError &e) {
    return e.what();
  }
  return "(no error)";
}

using Pairs = std::vector<std::pair<int32_t, int32_t>>;

TEST(TrainStep, FindsLossGradientsAndUpdates) {
  const Function fn = trainStep();
  const StepOutputs found = train::findStepOutputs(fn.desc());
  EXPECT_EQ(found.loss, 0);
  // Parameter order, whatever the outputs' order.
  EXPECT_EQ(found.grads, (Pairs{{0, 2}, {1, 3}, {2, 1}}));
  EXPECT_EQ(found.updates, (Pairs{{3, 4}}));

  MemoryExecutor executor(fn.desc());
  TrainStep step(executor, "model.so");
  ASSERT_EQ(step.params().size(), 3u);
  const char *names[] = {"logit_scale", "ln.weight", "proj"};
  const bool decays[] = {false, false, true};
  for (int t = 0; t < 3; ++t) {
    EXPECT_EQ(step.params()[t].name, names[t]);
    EXPECT_EQ(step.params()[t].value, executor.param(t));
    EXPECT_EQ(step.params()[t].decay, decays[t]) << names[t];
  }
  EXPECT_EQ(step.counts(), (std::vector<int64_t>{1, 3, 6}));
  EXPECT_EQ(step.logitScaleIndex(), 0);

  executor.outputs[0][0] = 2.5f;
  EXPECT_EQ(step.loss(), 2.5f);
}

TEST(TrainStep, LossIsNotAScalarGradient) {
  // grad/logit_scale is rank-0 f32 as well; the loss is the other one.
  const Function fn({{"logit_scale", {}}},
                    {{"grad/logit_scale", {}}, {"result1", {}}});
  const StepOutputs found = train::findStepOutputs(fn.desc());
  EXPECT_EQ(found.loss, 1);
  EXPECT_EQ(found.grads, (Pairs{{0, 0}}));
}

TEST(TrainStep, OtherFunctionsHaveNoRoles) {
  const Function fn({{"proj", {2, 3}}}, {{"result0", {4, 3}}});
  const StepOutputs found = train::findStepOutputs(fn.desc());
  EXPECT_EQ(found.loss, -1);
  EXPECT_TRUE(found.grads.empty());
  EXPECT_TRUE(found.updates.empty());
}

TEST(TrainStep, RefusesWhatIsNoTrainingFunction) {
  EXPECT_EQ(bindError(Function({{"proj", {2, 3}}},
                               {{"result0", {4, 3}}, {"grad/proj", {2, 3}}})),
            "model.so: @train_step has no loss (a rank-0 f32 output): it is "
            "not a training function");
  EXPECT_EQ(bindError(Function({{"proj", {2, 3}}, {"ln.bias", {3}}},
                               {{"result0", {}}})),
            "model.so: @train_step has no gradients (no output "
            "`grad/<parameter>` for any of its 2 parameters)");
  // An i64 scalar is no loss.
  EXPECT_EQ(bindError(Function({{"proj", {2, 3}}}, {{"result0", {}, CLIP_I64},
                                                    {"grad/proj", {2, 3}}})),
            "model.so: @train_step has no loss (a rank-0 f32 output): it is "
            "not a training function");
}

TEST(TrainStep, RefusesOutputsThatDoNotMatchTheirParameter) {
  EXPECT_EQ(bindError(Function({{"proj", {2, 3}}},
                               {{"result0", {}}, {"grad/proj", {3, 2}}})),
            "model.so: @train_step output `grad/proj` is f32 [3, 2], but "
            "parameter `proj` is f32 [2, 3] (both must be the same f32 shape)");
  EXPECT_EQ(bindError(Function({{"proj", {2, 3}}, {"bn.running_mean", {3}}},
                               {{"result0", {}},
                                {"grad/proj", {2, 3}},
                                {"update/bn.running_mean", {4}}})),
            "model.so: @train_step output `update/bn.running_mean` is f32 "
            "[4], but parameter `bn.running_mean` is f32 [3] (both must be "
            "the same f32 shape)");
  EXPECT_EQ(bindError(Function(
                {{"proj", {2, 3}}},
                {{"result0", {}}, {"grad/proj", {2, 3}}, {"grad/gone", {3}}})),
            "model.so: @train_step output `grad/gone` matches no parameter");
}

TEST(TrainStep, AccumulatesClipsAndUpdates) {
  const Function fn = trainStep();
  MemoryExecutor executor(fn.desc());
  TrainStep step(executor, "model.so");

  // One micro-batch: the outputs themselves.
  step.gatherGradients(0, 1);
  EXPECT_EQ(step.gradients()[2], executor.output(1));

  // Two: the mean, summed as g / 2.
  auto fillGradients = [&](float value) {
    for (int32_t o : {1, 2, 3})
      std::fill(executor.outputs[o].begin(), executor.outputs[o].end(), value);
  };
  fillGradients(2.0f);
  step.gatherGradients(0, 2);
  fillGradients(4.0f);
  step.gatherGradients(1, 2);
  for (size_t t = 0; t < 3; ++t) {
    EXPECT_NE(step.gradients()[t],
              executor.output(step.outputs().grads[t].second));
    for (int64_t i = 0; i < step.counts()[t]; ++i)
      EXPECT_EQ(step.gradients()[t][i], 3.0f);
  }

  // 10 values of 3: norm sqrt(90); clipped to 1.5 they are 1.5/sqrt(10).
  EXPECT_DOUBLE_EQ(step.clipGradients(0), std::sqrt(90.0));
  EXPECT_EQ(step.gradients()[0][0], 3.0f);
  EXPECT_DOUBLE_EQ(step.clipGradients(1.5), std::sqrt(90.0));
  EXPECT_NEAR(train::globalNorm(step.gradients(), step.counts()), 1.5, 1e-6);

  // The update: AdamW moves every trainable parameter, logit_scale is
  // clamped to ln 100, the running mean is copied from its output.
  executor.params[0][0] = 10.0f;
  std::fill(executor.outputs[4].begin(), executor.outputs[4].end(), 0.25f);
  train::AdamW optimizer(step.params(), {});
  step.update(optimizer, 1e-3);
  EXPECT_EQ(optimizer.steps(), 1);
  EXPECT_EQ(executor.params[0][0], std::log(100.0f));
  EXPECT_FLOAT_EQ(step.logitScale(), 100.0f);
  EXPECT_LT(executor.params[2][0], 0.0f);
  EXPECT_EQ(executor.params[3], (std::vector<float>{0.25f, 0.25f, 0.25f}));
}

TEST(TrainStep, NoLogitScale) {
  const Function fn({{"proj", {2, 3}}},
                    {{"result0", {}}, {"grad/proj", {2, 3}}});
  MemoryExecutor executor(fn.desc());
  TrainStep step(executor, "model.so");
  EXPECT_EQ(step.logitScaleIndex(), -1);
  EXPECT_TRUE(std::isnan(step.logitScale()));
}

TEST(TrainInitialize, EveryParameterOfAnExecutor) {
  const Function fn({{"logit_scale", {}},
                     {"transformer.resblocks.0.ln_1.weight", {4}},
                     {"transformer.resblocks.1.mlp.c_proj.weight", {4, 8}},
                     {"bn.running_var", {2}}},
                    {});
  MemoryExecutor executor(fn.desc());
  std::mt19937_64 rng(1);
  train::initializeParameters(executor, rng);
  EXPECT_EQ(executor.params[0][0], std::log(1.0f / 0.07f));
  EXPECT_EQ(executor.params[1], (std::vector<float>(4, 1.0f)));
  EXPECT_EQ(executor.params[3], (std::vector<float>(2, 1.0f)));
  // The same draws as initializeParameter with the tower's depth (2).
  std::vector<float> expected(32);
  std::mt19937_64 again(1);
  train::initializeParameter("transformer.resblocks.1.mlp.c_proj.weight",
                             {4, 8}, 2, expected.data(), again);
  EXPECT_EQ(executor.params[2], expected);
}

} // namespace
