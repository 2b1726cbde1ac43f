// A clip.so's CPU code is built for CLIP_CPU_ISA (x86-64-v3); on an older
// CPU clip-run refuses it before loading, naming what the CPU lacks, instead
// of dying of SIGILL mid-run. qemu-user plays the CPUs.
// REQUIRES: qemu-x86_64
// RUN: clipc %models/clip/vit_tiny.mlir --batch 2 -o %t.so
// RUN: not qemu-x86_64 -cpu Nehalem clip-run info %t.so 2>&1 | FileCheck %s --check-prefix=OLD
// OLD: clip-run: {{.*}}.so: its CPU code is built for x86-64-v3 (Intel Haswell, AMD Excavator or newer), which this CPU is not; it lacks AVX, AVX2, FMA, BMI1, BMI2, F16C, MOVBE
// RUN: not qemu-x86_64 -cpu SandyBridge clip-run step %t.so 2>&1 | FileCheck %s --check-prefix=AVX
// AVX: which this CPU is not; it lacks AVX2, FMA, BMI1, BMI2, F16C, MOVBE
// RUN: qemu-x86_64 -cpu Haswell clip-run info %t.so 2>/dev/null | FileCheck %s --check-prefix=HASWELL
// HASWELL: clip.so ABI 8, model vit_tiny.mlir, batch 2, remat none, precision fp32, CPU code x86-64-v3
