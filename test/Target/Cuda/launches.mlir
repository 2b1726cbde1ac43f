// RUN: clip-opt --split-input-file --convert-clip-to-kernel --kernel-plan-memory=alignment=64 %s \
// RUN:   | clip-translate --split-input-file --kernel-to-cuda | FileCheck %s

// cuBLASLt runs the GEMM and its bias; our GELU variants (and a residual
// after them) run in a generated epilogue kernel, one thread per element.
// CHECK-LABEL: // @gemm: 2 steps, 0 error slots
// CHECK-NEXT:  // step gemm_0: cuBLASLt GEMM batch 1 m 4 n 16 k 8 transpose false true
// CHECK-NEXT:  // step gemm_0: kernel gemm_0_epilogue grid 1 block 256
// CHECK:       extern "C" __global__ void gemm_0_epilogue(char *A, void *const *P, void *const *I) {
// CHECK-NEXT:    (void)A; (void)P; (void)I;
// CHECK-NEXT:    clip::cuda::gemmEpilogue(64, 3, nullptr, reinterpret_cast<float*>(A + 0));
func.func @gemm() -> tensor<4x16xf32> {
  %x = clip.input "x" : tensor<4x8xf32>
  %w = clip.param "w" : tensor<16x8xf32>
  %b = clip.param "b" : tensor<16xf32>
  %y = clip.gemm %x, %w transpose_rhs bias %b activation quick_gelu : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// Layer norm's gradient needs a grid-wide barrier between the input's
// gradient (a block per row) and the parameters' (a block per 4 columns):
// two kernels, where the CPU makes one call.
// CHECK-LABEL: // @norm_grad: 2 steps, 0 error slots
// CHECK-NEXT:  // step layer_norm_grad_0: kernel layer_norm_grad_0_input grid 6 block 256
// CHECK-NEXT:  // step layer_norm_grad_0: kernel layer_norm_grad_0_params grid 2 block 256
// CHECK:       void layer_norm_grad_0_input(
// CHECK:         clip::cuda::layerNormGradInput(6, 8, static_cast<float*>(I[0]), static_cast<float*>(I[1]), static_cast<float*>(I[2]), static_cast<float*>(I[3]), static_cast<float*>(P[0]), reinterpret_cast<float*>(A + {{[0-9]+}}));
// CHECK:       void layer_norm_grad_0_params(
// CHECK:         clip::cuda::layerNormGradParams(6, 8, static_cast<float*>(I[0]), static_cast<float*>(I[1]), static_cast<float*>(I[2]), static_cast<float*>(I[3]), reinterpret_cast<float*>(A + {{[0-9]+}}), reinterpret_cast<float*>(A + {{[0-9]+}}));
func.func @norm_grad() -> (tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %g = clip.input "g" : tensor<6x8xf32>
  %x = clip.input "x" : tensor<6x8xf32>
  %m = clip.input "m" : tensor<6x1xf32>
  %s = clip.input "s" : tensor<6x1xf32>
  %w = clip.param "w" : tensor<8xf32>
  %dx, %dw, %db = clip.layer_norm_grad %g, %x, %m, %s, %w : (tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x1xf32>, tensor<6x1xf32>, tensor<8xf32>) -> (tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %dx, %dw, %db : tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// A gather parks a bad index in its error slot of clip_error; the step
// carries the bound the runtime reports against.
// CHECK-LABEL: // @lookup: 1 steps, 1 error slots
// CHECK-NEXT:  // step gather_0: kernel gather_0 grid 1 block 256 error slot 0 bound 10
// CHECK:       __device__ long long clip_error[3];
// CHECK:         clip::cuda::gather(1, 1, 10, 4, 6, static_cast<float*>(P[0]), static_cast<int64_t*>(I[0]), reinterpret_cast<float*>(A + 0), clip_error + 0);
func.func @lookup() -> tensor<2x3x4xf32> {
  %t = clip.param "table" : tensor<10x4xf32>
  %i = clip.input "ids" : tensor<2x3xi64>
  %g = clip.gather %t[%i] axis 0 : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %g : tensor<2x3x4xf32>
}
