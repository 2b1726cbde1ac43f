//===- LayerNormTest.cpp - runtime/cuda/LayerNorm.cuh, emulated -----------===//
//
// LayerNorm forward (with and without residual) and backward.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/LayerNorm.cuh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace clip::test;

namespace {

struct RowsCols {
  i64 rows, cols;
};

TEST(CudaKernelsLayerNorm, Forward) {
  for (const RowsCols &shape :
       std::vector<RowsCols>{{5, 7}, {3, 300}, {1, 1}, {4, 33}}) {
    const i64 rows = shape.rows, cols = shape.cols, count = rows * cols;
    auto x = random(count, 10, -2.0f, 3.0f), residual = random(count, 11),
         weight = random(cols, 12), bias = random(cols, 13);
    const float eps = 1e-5f;
    for (bool withResidual : {false, true}) {
      std::vector<float> stream(count), out(count), mean(rows), rstd(rows);
      cpu::layerNorm(rows, cols, x.data(),
                     withResidual ? residual.data() : nullptr, stream.data(),
                     weight.data(), bias.data(), eps, out.data(), mean.data(),
                     rstd.data());
      for (const Launch &l : rows *cols <= 40 ? withWide() : kLaunches) {
        auto dStream = poisoned(count), dOut = poisoned(count),
             dMean = poisoned(rows), dRstd = poisoned(rows);
        launch(l.grid, l.block, [&] {
          cu::layerNormForward(rows, cols, x.data(),
                               withResidual ? residual.data() : nullptr,
                               dStream.data(), weight.data(), bias.data(), eps,
                               dOut.data(), dMean.data(), dRstd.data());
        });
        const std::string what =
            std::to_string(rows) + "x" + std::to_string(cols) + " residual " +
            std::to_string(withResidual) + " " + describe(l);
        expectClose("out " + what, dOut, out);
        expectClose("mean " + what, dMean, mean);
        expectClose("rstd " + what, dRstd, rstd);
        if (withResidual)
          expectClose("stream " + what, dStream, stream);
      }
    }
  }
}

TEST(CudaKernelsLayerNorm, Backward) {
  for (const RowsCols &shape :
       std::vector<RowsCols>{{6, 9}, {37, 5}, {2, 300}, {70, 3}}) {
    const i64 rows = shape.rows, cols = shape.cols, count = rows * cols;
    auto x = random(count, 20, -2.0f, 3.0f), weight = random(cols, 21),
         bias = random(cols, 22), grad = random(count, 23);
    std::vector<float> out(count), mean(rows), rstd(rows);
    cpu::layerNorm(rows, cols, x.data(), nullptr, nullptr, weight.data(),
                   bias.data(), 1e-5f, out.data(), mean.data(), rstd.data());
    std::vector<float> dx(count), dweight(cols), dbias(cols);
    cpu::layerNormGrad(rows, cols, grad.data(), x.data(), mean.data(),
                       rstd.data(), weight.data(), dx.data(), dweight.data(),
                       dbias.data());
    const unsigned paramUnits = static_cast<unsigned>(
        (cols + cu::kParamColumns - 1) / cu::kParamColumns);
    for (const Launch &l : count <= 60 ? withWide() : kLaunches) {
      auto dDx = poisoned(count), dDweight = poisoned(cols),
           dDbias = poisoned(cols);
      launch(l.grid, l.block, [&] {
        cu::layerNormGradInput(rows, cols, grad.data(), x.data(), mean.data(),
                               rstd.data(), weight.data(), dDx.data());
      });
      launch(l.grid, l.block, [&] {
        cu::layerNormGradParams(rows, cols, grad.data(), x.data(), mean.data(),
                                rstd.data(), dDweight.data(), dDbias.data());
      });
      const std::string what =
          std::to_string(rows) + "x" + std::to_string(cols) + " " + describe(l);
      expectClose("dx " + what, dDx, dx);
      expectClose("dweight " + what, dDweight, dweight);
      expectClose("dbias " + what, dDbias, dbias);
    }
    // The documented grid: one block per unit.
    auto dDweight = poisoned(cols), dDbias = poisoned(cols);
    launch(paramUnits, 32, [&] {
      cu::layerNormGradParams(rows, cols, grad.data(), x.data(), mean.data(),
                              rstd.data(), dDweight.data(), dDbias.data());
    });
    expectClose("dweight, grid = units", dDweight, dweight);
    expectClose("dbias, grid = units", dDbias, dbias);
  }
}

} // namespace
