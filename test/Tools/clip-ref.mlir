// clip-ref evaluates a function from safetensors files, and reports bad
// files, missing or mis-shaped keys and bad flags with one clear message.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/write_safetensors.py %t/p.st w=F32:2:2,3 b=F32:2:10,20
// RUN: %python %S/Inputs/write_safetensors.py %t/i.st x=F32:2x2:1,2,3,4 s=F64::0.5
// RUN: clip-ref %S/Inputs/affine.mlir --function affine --batch 2 --params %t/p.st --inputs %t/i.st --arg x -o %t/out.st
// RUN: %python %S/Inputs/dump_safetensors.py %t/out.st | FileCheck %s --check-prefix=OK
// OK: result0 F64 [2, 2] [6.0, 13.0, 8.0, 16.0]

// Missing, mis-shaped and unexpected parameters, all at once.
// RUN: %python %S/Inputs/write_safetensors.py %t/bad.st w=F32:3:1,2,3 extra=F32:1:0
// RUN: not clip-ref %S/Inputs/affine.mlir --function affine --batch 2 --params %t/bad.st --inputs %t/i.st --arg x -o %t/out.st 2>&1 | FileCheck %s --check-prefix=BIND
// BIND: clip-ref: {{.*}}bad.st does not match the model:
// BIND-NEXT: 1 missing key(s): b
// BIND-NEXT: 1 mis-shaped key(s): w (file [3], model [2])
// BIND-NEXT: 1 unexpected key(s): extra

// A truncated file.
// RUN: %python %S/Inputs/write_safetensors.py %t/cut.st w=F32:2:2,3 b=F32:2:10,20 --truncate 90
// RUN: not clip-ref %S/Inputs/affine.mlir --function affine --batch 2 --params %t/cut.st --inputs %t/i.st --arg x -o %t/out.st 2>&1 | FileCheck %s --check-prefix=CUT
// CUT: clip-ref: {{.*}}cut.st: not a valid safetensors file: {{.*}}(truncated file?)

// An input of the wrong shape for the batch.
// RUN: not clip-ref %S/Inputs/affine.mlir --function affine --batch 3 --params %t/p.st --inputs %t/i.st --arg x -o %t/out.st 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: 1 mis-shaped key(s): x (file [2, 2], model [3, 2])

// Flags.
// RUN: not clip-ref %S/Inputs/affine.mlir --function nope --batch 2 --params %t/p.st -o %t/out.st 2>&1 | FileCheck %s --check-prefix=FUNC
// FUNC: clip-ref: {{.*}}affine.mlir has no public function @nope
// RUN: not clip-ref %S/Inputs/affine.mlir --function affine --batch 2 --params %t/p.st -o %t/out.st 2>&1 | FileCheck %s --check-prefix=ARGS
// ARGS: @affine takes 1 argument(s); give one --arg per argument (0 given)
// RUN: not clip-ref %S/Inputs/affine.mlir --function affine --batch 0 --params %t/p.st -o %t/out.st 2>&1 | FileCheck %s --check-prefix=BATCH
// BATCH: clip-ref: --batch must be at least 1
