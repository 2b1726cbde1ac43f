// clipc --target all stores each function's sm_90 cubin (the one NVRTC
// compiled to check the unit) in the clip.so: a device of that architecture
// loads it and compiles nothing. clip-run info says so; the loader checks
// that a stored cubin is an ELF image.
// RUN: clipc %models/clip/vit_tiny.mlir --target all --batch 2 -o %t.so
// RUN: clip-run info %t.so | FileCheck %s
// CHECK: clip.so ABI 8
// CHECK: @forward: {{.*}} targets: cpu cuda ({{[0-9]+}} steps, sm_90 cubin {{[0-9.]+}} MiB)
// CHECK: @train_step: {{.*}} targets: cpu cuda ({{[0-9]+}} steps, sm_90 cubin {{[0-9.]+}} MiB)

// --cuda-arch names the architecture stored.
// RUN: clipc %models/clip/vit_tiny.mlir --target cuda --cuda-arch sm_80 --batch 2 -o %t80.so
// RUN: clip-run info %t80.so | FileCheck %s --check-prefix=SM80
// SM80: @forward: {{.*}} targets: cuda ({{[0-9]+}} steps, sm_80 cubin {{[0-9.]+}} MiB)
