//===- ConvolutionTest.cpp - runtime/cuda/Convolution.cuh, emulated -------===//
//
// Convolution forward and backward, average pooling forward and
// backward. The shapes are test/unit/KernelTestHarness.h's convShape
// and poolShape.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/Convolution.cuh"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

using namespace clip::test;

namespace {

// One geometry type for both libraries (runtime/kernels/KernelAbi.h).
static_assert(std::is_same_v<cu::Conv2DShape, cpu::Conv2DShape>);
static_assert(std::is_same_v<cu::Pool2DShape, cpu::Pool2DShape>);

std::vector<cpu::Conv2DShape> convCases() {
  return {
      convShape(2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),
      convShape(2, 4, 9, 11, 6, 3, 2, 2, 1, 1, 2, 2, 1, 2),  // grouped, uneven
      convShape(1, 3, 12, 10, 2, 5, 3, 3, 2, 2, 0, 1, 2, 1), // strided, dilated
      convShape(2, 4, 7, 6, 8, 3, 3, 2, 2, 1, 1, 1, 1, 4),   // depthwise x2
      convShape(2, 6, 5, 7, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1),   // pointwise
      convShape(2, 3, 8, 12, 2, 4, 4, 4, 4, 0, 0, 1, 1, 1),  // patchify
  };
}

TEST(CudaKernelsConv2D, Forward) {
  unsigned seed = 150;
  for (const cpu::Conv2DShape &s : convCases()) {
    const i64 xCount = s.n * s.channels * s.height * s.width;
    const i64 wCount =
        s.outChannels * (s.channels / s.groups) * s.kernelH * s.kernelW;
    const i64 outCount = s.n * s.outChannels * s.outHeight * s.outWidth;
    auto x = random(xCount, seed++), w = random(wCount, seed++),
         bias = random(s.outChannels, seed++);
    const cu::Conv2DShape &ds = s;
    for (bool withBias : {false, true}) {
      std::vector<float> out(outCount);
      cpu::conv2d(s, x.data(), w.data(), withBias ? bias.data() : nullptr,
                  out.data());
      for (const Launch &l : kLaunches) {
        auto dOut = poisoned(outCount);
        launch(l.grid, l.block, [&] {
          cu::conv2dForward(ds, x.data(), w.data(),
                            withBias ? bias.data() : nullptr, dOut.data());
        });
        expectClose(describe(s) + " bias " + std::to_string(withBias) + " " +
                        describe(l),
                    dOut, out);
      }
    }
  }
}

TEST(CudaKernelsConv2D, Backward) {
  unsigned seed = 180;
  for (const cpu::Conv2DShape &s : convCases()) {
    const i64 xCount = s.n * s.channels * s.height * s.width;
    const i64 wCount =
        s.outChannels * (s.channels / s.groups) * s.kernelH * s.kernelW;
    const i64 outCount = s.n * s.outChannels * s.outHeight * s.outWidth;
    auto x = random(xCount, seed++), w = random(wCount, seed++),
         grad = random(outCount, seed++);
    std::vector<float> dx(xCount), dw(wCount);
    cpu::conv2dGrad(s, grad.data(), x.data(), w.data(), dx.data(), dw.data());
    const cu::Conv2DShape &ds = s;
    for (const Launch &l : kLaunches) {
      auto dDx = poisoned(xCount), dDw = poisoned(wCount);
      launch(l.grid, l.block, [&] {
        cu::conv2dGradInput(ds, grad.data(), w.data(), dDx.data());
      });
      launch(l.grid, l.block, [&] {
        cu::conv2dGradWeight(ds, grad.data(), x.data(), dDw.data());
      });
      expectClose("dx " + describe(s) + " " + describe(l), dDx, dx);
      expectClose("dw " + describe(s) + " " + describe(l), dDw, dw);
    }
  }
}

TEST(CudaKernelsAvgPool2D, ForwardAndBackward) {
  unsigned seed = 210;
  for (const cpu::Pool2DShape &s : {poolShape(3, 7, 6, 3, 3, 2, 2, 1, 1),
                                    poolShape(2, 8, 8, 2, 2, 2, 2, 0, 0),
                                    poolShape(1, 5, 4, 3, 2, 1, 2, 1, 0),
                                    poolShape(2, 9, 7, 3, 3, 1, 1, 1, 1),
                                    poolShape(1, 6, 6, 6, 6, 6, 6, 0, 0)}) {
    const cu::Pool2DShape &ds = s;
    const i64 inCount = s.planes * s.height * s.width;
    const i64 outCount = s.planes * s.outHeight * s.outWidth;
    auto x = random(inCount, seed++), grad = random(outCount, seed++);
    std::vector<float> out(outCount), dx(inCount);
    cpu::avgPool2d(s, x.data(), out.data());
    cpu::avgPool2dGrad(s, grad.data(), dx.data());
    const std::string shape =
        std::to_string(s.height) + "x" + std::to_string(s.width) + " k " +
        std::to_string(s.kernelH) + "x" + std::to_string(s.kernelW) + " s " +
        std::to_string(s.strideH) + "x" + std::to_string(s.strideW) + " p " +
        std::to_string(s.padH) + "x" + std::to_string(s.padW) + " ";
    for (const Launch &l : kLaunches) {
      auto dOut = poisoned(outCount), dDx = poisoned(inCount);
      launch(l.grid, l.block,
             [&] { cu::avgPool2d(ds, x.data(), dOut.data()); });
      launch(l.grid, l.block,
             [&] { cu::avgPool2dGrad(ds, grad.data(), dDx.data()); });
      expectClose("out " + shape + describe(l), dOut, out);
      expectClose("dx " + shape + describe(l), dDx, dx);
    }
  }
}

} // namespace
