//===- BatchNormTest.cpp - runtime/cuda/BatchNorm.cuh, emulated -----------===//
//
// BatchNorm, inference and training forms.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/BatchNorm.cuh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace clip::test;

namespace {

TEST(CudaKernelsBatchNorm, InferenceAndTraining) {
  struct Case {
    i64 n, channels, spatial;
  };
  unsigned seed = 240;
  for (const Case &c : {Case{3, 5, 7}, Case{2, 3, 300}, Case{4, 2, 1}}) {
    const i64 count = c.n * c.channels * c.spatial;
    auto x = random(count, seed++, -1.0f, 3.0f),
         scale = random(c.channels, seed++), bias = random(c.channels, seed++),
         mean = random(c.channels, seed++),
         var = random(c.channels, seed++, 0.5f, 2.0f);
    const float eps = 1e-5f, momentum = 0.1f;
    std::vector<float> out(count), trainOut(count), newMean(c.channels),
        newVar(c.channels);
    cpu::batchNorm(c.n, c.channels, c.spatial, x.data(), scale.data(),
                   bias.data(), mean.data(), var.data(), eps, out.data());
    cpu::batchNormTrain(c.n, c.channels, c.spatial, x.data(), scale.data(),
                        bias.data(), mean.data(), var.data(), eps, momentum,
                        trainOut.data(), newMean.data(), newVar.data());
    const std::string shape = std::to_string(c.n) + "x" +
                              std::to_string(c.channels) + "x" +
                              std::to_string(c.spatial) + " ";
    for (const Launch &l : kLaunches) {
      auto dOut = poisoned(count), dTrainOut = poisoned(count),
           dNewMean = poisoned(c.channels), dNewVar = poisoned(c.channels);
      launch(l.grid, l.block, [&] {
        cu::batchNorm(c.n, c.channels, c.spatial, x.data(), scale.data(),
                      bias.data(), mean.data(), var.data(), eps, dOut.data());
      });
      launch(l.grid, l.block, [&] {
        cu::batchNormTrain(c.n, c.channels, c.spatial, x.data(), scale.data(),
                           bias.data(), mean.data(), var.data(), eps, momentum,
                           dTrainOut.data(), dNewMean.data(), dNewVar.data());
      });
      expectClose("inference " + shape + describe(l), dOut, out);
      expectClose("train " + shape + describe(l), dTrainOut, trainOut);
      expectClose("running mean " + shape + describe(l), dNewMean, newMean);
      expectClose("running var " + shape + describe(l), dNewVar, newVar);
    }
  }
}

} // namespace
