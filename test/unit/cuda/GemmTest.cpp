//===- GemmTest.cpp - runtime/cuda/Gemm.cuh, emulated ---------------------===//
//
// The GEMM epilogue after a product computed by clip::cpu::gemm.
//
// How the device kernels are tested: EmulatedKernelTest.h.
//
//===----------------------------------------------------------------------===//

#include "test/unit/cuda/EmulatedKernelTest.h" // first: host emulation

#include "runtime/cuda/Gemm.cuh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace clip::test;

namespace {

TEST(CudaKernelsGemmEpilogue, MatchesCpuGemm) {
  const i64 m = 7, n = 13, k = 5;
  auto a = random(m * k, 1), b = random(k * n, 2, -2.0f, 2.0f),
       bias = random(n, 3), residual = random(m * n, 4);
  // The product with its bias (what cuBLASLt leaves in C).
  std::vector<float> product(m * n);
  cpu::GemmArgs args;
  args.m = m;
  args.n = n;
  args.k = k;
  args.a = a.data();
  args.b = b.data();
  args.c = product.data();
  args.bias = bias.data();
  cpu::gemm(args);
  for (int act = 0; act <= 3; ++act)
    for (bool withResidual : {false, true}) {
      std::vector<float> want(m * n);
      args.c = want.data();
      args.activation = static_cast<cpu::Activation>(act);
      args.residual = withResidual ? residual.data() : nullptr;
      cpu::gemm(args);
      for (const Launch &l : kLaunches) {
        std::vector<float> c = product;
        launch(l.grid, l.block, [&] {
          cu::gemmEpilogue(m * n, act, withResidual ? residual.data() : nullptr,
                           c.data());
        });
        expectClose("act " + std::to_string(act) + " residual " +
                        std::to_string(withResidual) + " " + describe(l),
                    c, want);
      }
    }
}

} // namespace
