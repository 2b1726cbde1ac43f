// RUN: clip-opt --convert-clip-to-kernel --kernel-mixed-precision=precision=bf16 --kernel-plan-memory=alignment=64 %s \
// RUN:   | clip-translate --kernel-to-cpp | FileCheck %s

// bf16 storage on the CPU. The rounding casts of the f32 input and weight are
// elementwise loops; elementwise loops read and write clip::bf16 directly
// (widened on load, rounded on store); a library call (here the GEMMs)
// computes on f32 copies made by Bf16Staging, and its bf16 result is rounded
// back by store() once it has run. The last GEMM writes the f32 step output
// directly.
// CHECK-LABEL: int32_t run_bf16(
// CHECK:         // cast_bf16_0
// CHECK:           const float v0 = static_cast<float*>(I[0])[i];
// CHECK-NEXT:      const clip::bf16 v1 = static_cast<clip::bf16>(v0);
// CHECK-NEXT:      reinterpret_cast<clip::bf16*>(A + [[XB:[0-9]+]])[i] = v1;
// CHECK:         // cast_bf16_1
// CHECK:           reinterpret_cast<clip::bf16*>(A + [[WB:[0-9]+]])[i] = v1;
// CHECK:         // gemm_0
// CHECK-NEXT:    { // bf16 storage: the call computes on f32 copies
// CHECK-NEXT:      clip::cpu::Bf16Staging s0(reinterpret_cast<clip::bf16*>(A + [[XB]]), 32);
// CHECK-NEXT:      clip::cpu::Bf16Staging s1(reinterpret_cast<clip::bf16*>(A + [[WB]]), 128);
// CHECK-NEXT:      clip::cpu::Bf16Staging s2(reinterpret_cast<clip::bf16*>(A + [[H:[0-9]+]]), 64, true);
// CHECK:           g.a = s0.data(); g.strideA = 0; g.b = s1.data(); g.strideB = 0;
// CHECK-NEXT:      g.c = s2.data(); g.strideC = 64;
// CHECK-NEXT:      clip::cpu::gemm(g); }
// CHECK-NEXT:      s2.store();
// CHECK-NEXT:    }
// CHECK-NEXT:    if ((options & CLIP_RUN_CHECK_NUMERICS) && clip::cpu::reportNonFinite(reinterpret_cast<clip::bf16*>(A + [[H]]), 64, true, "kernel gemm_0 (clip.gemm at {{.*}}:{{[0-9]+}}:{{[0-9]+}}), output 0", error, errorSize))
// CHECK:         // exp_1
// CHECK:           const float v0 = reinterpret_cast<clip::bf16*>(A + [[H]])[i];
// CHECK-NEXT:      const float v1 = expf(v0);
// CHECK-NEXT:      reinterpret_cast<clip::bf16*>(A + {{[0-9]+}})[i] = v1;
// CHECK:         // gemm_3
// CHECK-NEXT:    { // bf16 storage: the call computes on f32 copies
// CHECK-NEXT:      clip::cpu::Bf16Staging s0(
// CHECK-NEXT:      clip::cpu::Bf16Staging s1(reinterpret_cast<clip::bf16*>(A + [[WB]]), 128);
// CHECK-NOT:       Bf16Staging
// CHECK:           g.c = reinterpret_cast<float*>(A + {{[0-9]+}}); g.strideC = 64;
// CHECK-NEXT:      clip::cpu::gemm(g); }
// CHECK-NEXT:    }
// CHECK-NEXT:    if ((options & CLIP_RUN_CHECK_NUMERICS) && clip::cpu::reportNonFinite(reinterpret_cast<float*>(A + {{[0-9]+}}), 64, false,
// CHECK-NEXT:      return 2;
// CHECK-NEXT:    return 0;
func.func @bf16() -> tensor<4x16xf32> {
  %x = clip.input "x" : tensor<4x8xf32>
  %w = clip.param "w" : tensor<16x8xf32>
  %h = clip.gemm %x, %w transpose_rhs : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %e = clip.exp %h : tensor<4x16xf32>
  %y = clip.gemm %e, %w : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %z = clip.gemm %y, %w transpose_rhs : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %z : tensor<4x16xf32>
}
