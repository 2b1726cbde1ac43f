// clipc's bad inputs: one message each and a non-zero exit.
// RUN: not clipc %t.missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: clipc: {{.*}}missing.mlir: no such file
// RUN: not clipc %models/clip/vit_tiny.mlir --batch 0 2>&1 | FileCheck %s --check-prefix=BATCH
// BATCH: clipc: --batch must be at least 1 (got 0)
// RUN: not clipc %models/clip/vit_tiny.mlir --remat some 2>&1 | FileCheck %s --check-prefix=REMAT
// REMAT: clipc: --remat must be none, attention or block (got `some`)
// RUN: not clipc %models/clip/vit_tiny.mlir --emit llvm 2>&1 | FileCheck %s --check-prefix=EMIT
// EMIT: clipc: --emit must be mlir, kernels, plan, cpp or cuda (got `llvm`)
// RUN: not clipc %models/clip/vit_tiny.mlir --target tpu 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: clipc: --target must be cpu, cuda or all (got `tpu`)
// RUN: not clipc %models/clip/vit_tiny.mlir --target cuda --cuda-arch compute_90 2>&1 | FileCheck %s --check-prefix=ARCH
// ARCH: clipc: --cuda-arch must name a real architecture such as sm_90 (got `compute_90`)
// RUN: not clipc %models/clip/vit_tiny.mlir --precision fp16 2>&1 | FileCheck %s --check-prefix=PRECISION
// PRECISION: clipc: --precision must be fp32 or bf16 (got `fp16`)
// RUN: not clipc %models/clip/vit_tiny.mlir --loss hinge 2>&1 | FileCheck %s --check-prefix=LOSS
// LOSS: clipc: --loss must be clip or siglip (got `hinge`)

// A parse error is reported at its line and column.
// RUN: printf 'func.func @forward() -> tensor<f32> {\n  %%%%x = clip.bogus\n}\n' > %t.bad.mlir
// RUN: not clipc %t.bad.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: bad.mlir:2:8: error: {{.*}}clip.bogus

// An op no kernel runs (iota survives to the schedule) is reported at the op.
// RUN: printf 'func.func @forward() -> tensor<f32> {\n  %%%%x = clip.param "x" : tensor<4xf32>\n  %%%%i = clip.iota dim 0 : tensor<4xi64>\n  %%%%f = clip.cast %%%%i : tensor<4xi64> to tensor<4xf32>\n  %%%%m = clip.mul %%%%f, %%%%x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>\n  %%%%s = clip.reduce_sum %%%%m axes [0] : tensor<4xf32> -> tensor<f32>\n  return %%%%s : tensor<f32>\n}\n' > %t.iota.mlir
// RUN: not clipc %t.iota.mlir -o %t.iota.so 2>&1 | FileCheck %s --check-prefix=NOKERNEL
// NOKERNEL: error: no CPU kernel for this op
// RUN: not clipc %t.iota.mlir --emit cuda 2>&1 | FileCheck %s --check-prefix=NOCUDA
// NOCUDA: error: no CUDA kernel for this op
// RUN: not ls %t.iota.so

// An element type the clip.so ABI does not carry (i32 token ids).
// RUN: printf 'func.func @forward() -> tensor<f32> {\n  %%%%t = clip.input "t" : tensor<4xi32>\n  %%%%w = clip.param "w" : tensor<4xf32>\n  %%%%f = clip.cast %%%%t : tensor<4xi32> to tensor<4xf32>\n  %%%%m = clip.mul %%%%f, %%%%w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>\n  %%%%s = clip.reduce_sum %%%%m axes [0] : tensor<4xf32> -> tensor<f32>\n  return %%%%s : tensor<f32>\n}\n' > %t.i32.mlir
// RUN: not clipc %t.i32.mlir -o %t.i32.so 2>&1 | FileCheck %s --check-prefix=I32
// I32: error: code generation supports f32, i64 and i1 elements (and bf16 buffers), not 'i32'
