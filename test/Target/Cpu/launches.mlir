// RUN: clip-opt --split-input-file --convert-clip-to-kernel --kernel-plan-memory=alignment=64 %s \
// RUN:   | clip-translate --split-input-file --kernel-to-cpp | FileCheck %s

// A GEMM with its epilogue is one clip::cpu::gemm; arena buffers are byte
// offsets into A, parameters and inputs slots of P and I. The activation is
// the ABI's number (quick_gelu = 3); the tables give name, dtype (CLIP_F32
// = 0), rank, shape and offset. Under CLIP_RUN_CHECK_NUMERICS (clip-run
// --check-numerics) the launch's output is checked for NaN and Inf, and a
// bad value is reported with the launch and its op's place in the input (here clip-translate's, <stdin>).
// CHECK-LABEL: int32_t run_gemm(void *arena, void *const *P, void *const *I, int32_t options, char *error, size_t errorSize) {
// CHECK:         // gemm_0
// CHECK-NEXT:    { clip::cpu::GemmArgs g;
// CHECK-NEXT:      g.batch = 1; g.m = 4; g.n = 16; g.k = 8;
// CHECK-NEXT:      g.transposeA = false; g.transposeB = true;
// CHECK-NEXT:      g.a = static_cast<float*>(I[0]); g.strideA = 0; g.b = static_cast<float*>(P[0]); g.strideB = 0;
// CHECK-NEXT:      g.c = reinterpret_cast<float*>(A + 0); g.strideC = 64;
// CHECK-NEXT:      g.bias = static_cast<float*>(P[1]);
// CHECK-NEXT:      g.activation = clip::cpu::Activation(3);
// CHECK-NEXT:      clip::cpu::gemm(g); }
// CHECK-NEXT:    if ((options & CLIP_RUN_CHECK_NUMERICS) && clip::cpu::reportNonFinite(reinterpret_cast<float*>(A + 0), 64, false, "kernel gemm_0 (clip.gemm at {{.*}}:{{[0-9]+}}:{{[0-9]+}}), output 0", error, errorSize))
// CHECK-NEXT:      return 2;
// CHECK-NEXT:    return 0;
// CHECK:       const ClipTensorDesc gemm_params[] = {
// CHECK-NEXT:    {"w", 0, 2, gemm_params_shape0, -1},
// CHECK-NEXT:    {"b", 0, 1, gemm_params_shape1, -1},
// CHECK:       const ClipKernelDesc gemm_kernels[] = {
// CHECK-NEXT:    {"gemm_0", "gemm"},
func.func @gemm() -> tensor<4x16xf32> {
  %x = clip.input "x" : tensor<4x8xf32>
  %w = clip.param "w" : tensor<16x8xf32>
  %b = clip.param "b" : tensor<16xf32>
  %y = clip.gemm %x, %w transpose_rhs bias %b activation quick_gelu : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Layer norm: rows and columns from the input's shape, then input,
// (no residual), weight, bias, epsilon, and the three results.
// CHECK-LABEL: int32_t run_norm(
// CHECK:         // layer_norm_0
// CHECK-NEXT:    clip::cpu::layerNorm(6, 8, static_cast<float*>(I[0]), nullptr, nullptr, static_cast<float*>(P[0]), static_cast<float*>(P[1]), 1e-05f, reinterpret_cast<float*>(A + {{[0-9]+}}), reinterpret_cast<float*>(A + {{[0-9]+}}), reinterpret_cast<float*>(A + {{[0-9]+}}));
func.func @norm() -> tensor<2x3x8xf32> {
  %x = clip.input "x" : tensor<2x3x8xf32>
  %w = clip.param "w" : tensor<8xf32>
  %b = clip.param "b" : tensor<8xf32>
  %y, %m, %s = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x3x8xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  return %y : tensor<2x3x8xf32>
}

// -----

// An elementwise op is a generated OpenMP loop; a reduction declares its
// shape and the result's strides (0 on the reduced axis) as arrays.
// CHECK-LABEL: int32_t run_loop(
// CHECK:         // exp_0
// CHECK-NEXT:    #pragma omp parallel for schedule(static) if (12 >= 32768)
// CHECK-NEXT:    for (int64_t i = 0; i < 12; ++i) {
// CHECK:         // reduce_sum_1
// CHECK-NEXT:    { const int64_t shape[] = {3, 4}, to[] = {1, 0};
// CHECK-NEXT:      clip::cpu::reduce(clip::cpu::Reduction::Sum, 2, shape, reinterpret_cast<float*>(A + {{[0-9]+}}), to, reinterpret_cast<float*>(A + {{[0-9]+}}), 3); }
func.func @loop() -> tensor<3xf32> {
  %x = clip.input "x" : tensor<3x4xf32>
  %e = clip.exp %x : tensor<3x4xf32>
  %s = clip.reduce_sum %e axes [1] : tensor<3x4xf32> -> tensor<3xf32>
  return %s : tensor<3xf32>
}

// -----

// A gather returns the first out-of-range index's position: the entry point
// reports it, naming the launch, and stops.
// CHECK-LABEL: int32_t run_lookup(
// CHECK:         // gather_0
// CHECK-NEXT:    if (const int64_t bad = clip::cpu::gather(1, 1, 10, 4, 6, static_cast<float*>(P[0]), static_cast<int64_t*>(I[0]), reinterpret_cast<float*>(A + 0)); bad >= 0) {
// CHECK-NEXT:      snprintf(error, errorSize, "gather_0: index %lld at position %lld is outside [0, 10)", static_cast<long long>(static_cast<int64_t*>(I[0])[bad]), static_cast<long long>(bad));
// CHECK-NEXT:      return 1;
// CHECK-NEXT:    }
func.func @lookup() -> tensor<2x3x4xf32> {
  %t = clip.param "table" : tensor<10x4xf32>
  %i = clip.input "ids" : tensor<2x3xi64>
  %g = clip.gather %t[%i] axis 0 : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %g : tensor<2x3x4xf32>
}
