// Before its first CPU step clip-run checks the BLAS on every GEMM shape
// class the kernels use (clip::cpu::selfCheck). A BLAS wrong on this CPU
// (here one spoiled by LD_PRELOAD, wrong on transposed x transposed products
// unless OpenBLAS runs its Haswell kernels) is never used: clip-run restarts
// itself with OpenBLAS's Haswell kernels, and refuses when those are wrong too
// or when the user forced the core type.
// RUN: clipc %models/clip/vit_tiny.mlir --batch 2 -o %t.so
// RUN: c++ -shared -fPIC -o %t.wrong.so %S/Inputs/wrong_sgemm.cpp -I/usr/include/x86_64-linux-gnu -ldl
// RUN: env -u OPENBLAS_CORETYPE LD_PRELOAD=%t.wrong.so clip-run step %t.so --steps 1 2>&1 | FileCheck %s --check-prefix=RESTART
// RESTART: clip-run: {{.*}}.so: OpenBLAS's sgemm ({{.*}} kernels) is wrong on this CPU: TT M={{[0-9]+}} N={{[0-9]+}} K={{[0-9]+}}{{.*}}; restarting with OpenBLAS's Haswell kernels (OPENBLAS_CORETYPE=Haswell)
// RESTART: step 1/1 loss {{[0-9.]+}}
//
// RUN: env OPENBLAS_CORETYPE=Sandybridge LD_PRELOAD=%t.wrong.so not clip-run step %t.so --steps 1 2>&1 | FileCheck %s --check-prefix=FORCED
// FORCED: clip-run: {{.*}}.so: OpenBLAS's sgemm (Sandybridge kernels) is wrong on this CPU: TT {{.*}} (OPENBLAS_CORETYPE=Sandybridge); refusing to compute wrong results. Unset OPENBLAS_CORETYPE (clip-run then picks kernels that pass) or set it to Haswell
// FORCED-NOT: step 1/1
//
// RUN: env -u OPENBLAS_CORETYPE WRONG_SGEMM_ALWAYS=1 LD_PRELOAD=%t.wrong.so not clip-run train %t.so --steps 1 2>&1 | FileCheck %s --check-prefix=ALWAYS
// ALWAYS: restarting with OpenBLAS's Haswell kernels
// ALWAYS: OpenBLAS's sgemm (Haswell kernels) is wrong on this CPU: TT {{.*}} (OPENBLAS_CORETYPE=Haswell); refusing to compute wrong results. Even OpenBLAS's Haswell kernels fail here: install another OpenBLAS build
