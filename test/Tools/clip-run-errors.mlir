// Files that are not a usable clip.so are rejected with one clear message.
// RUN: clipc %models/clip/vit_tiny.mlir --batch 2 -o %t.so
// RUN: clip-run info %t.so | FileCheck %s --check-prefix=INFO
// INFO: clip.so ABI 8, model vit_tiny.mlir, batch 2, remat none, precision fp32, CPU code x86-64-v3
// INFO: @train_step: {{[0-9]+}} kernels, arena {{.*}} MiB
// INFO: kernels by kind: {{.*}}attention_grad 8{{.*}}gemm 40
// INFO: parameters: 110 tensors, 7962625 values
// INFO: input text i64 [2, 32]
// INFO: outputs: 111 (110 gradients)

// Truncated: the first 4 KiB of a real one.
// RUN: head -c 4096 %t.so > %t.truncated.so
// RUN: not clip-run info %t.truncated.so 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: clip-run: {{.*}}truncated.so: not a loadable shared library (truncated or not built by clipc?)

// Not a shared library at all.
// RUN: echo "hello" > %t.text.so
// RUN: not clip-run info %t.text.so 2>&1 | FileCheck %s --check-prefix=TEXT
// TEXT: clip-run: {{.*}}text.so: not a loadable shared library

// A shared library, but not a clip.so.
// RUN: echo "extern \"C\" int something() { return 1; }" > %t.other.cpp
// RUN: c++ -shared -fPIC -o %t.other.so %t.other.cpp
// RUN: not clip-run info %t.other.so 2>&1 | FileCheck %s --check-prefix=OTHER
// OTHER: clip-run: {{.*}}other.so: not a clip.so (no `clip_library` symbol; compile models with clipc)

// A clip.so of another ABI version.
// RUN: printf '#include "runtime/abi/ClipLibrary.h"\nstatic const ClipLibraryDesc d = {CLIP_LIBRARY_MAGIC, 99, "m", "none", 1, 0, 0};\nextern "C" const ClipLibraryDesc *clip_library(void) { return &d; }\n' > %t.v99.cpp
// RUN: c++ -shared -fPIC -I%clip_src -o %t.v99.so %t.v99.cpp
// RUN: not clip-run info %t.v99.so 2>&1 | FileCheck %s --check-prefix=VERSION
// VERSION: clip-run: {{.*}}v99.so: compiled for clip.so ABI version 99, this runtime reads version 8; recompile it with this clipc

// A stored cubin that is not an ELF image (here four bytes "abcd").
// RUN: printf '#include "runtime/abi/ClipLibrary.h"\nstatic const unsigned char c[] = "abcd";\nstatic const ClipFunctionDesc f[] = {{"step", 0, 0, 0, 0, 0, 0, 0, nullptr, nullptr, nullptr, nullptr, nullptr, "", 0, 0, nullptr, "sm_90", c, 4}};\nstatic const ClipLibraryDesc d = {CLIP_LIBRARY_MAGIC, CLIP_LIBRARY_ABI_VERSION, "m", "none", 1, 1, f, CLIP_CPU_ISA, nullptr, "fp32"};\nextern "C" const ClipLibraryDesc *clip_library(void) { return &d; }\n' > %t.cubin.cpp
// RUN: c++ -shared -fPIC -I%clip_src -o %t.cubin.so %t.cubin.cpp
// RUN: not clip-run info %t.cubin.so 2>&1 | FileCheck %s --check-prefix=CUBIN
// CUBIN: clip-run: {{.*}}cubin.so: @step's stored cubin is not an ELF image for a named architecture; recompile it with this clipc

// A descriptor that does not hold together: an output past the arena's end.
// RUN: printf '#include "runtime/abi/ClipLibrary.h"\nstatic const int64_t s[] = {4, 8};\nstatic const ClipTensorDesc o[] = {{"x", CLIP_F32, 2, s, 64}};\nstatic const ClipFunctionDesc f[] = {{"step", 128, 128, 128, 0, 0, 1, 0, nullptr, nullptr, o}};\nstatic const ClipLibraryDesc d = {CLIP_LIBRARY_MAGIC, CLIP_LIBRARY_ABI_VERSION, "m", "none", 1, 1, f, CLIP_CPU_ISA, nullptr, "fp32"};\nextern "C" const ClipLibraryDesc *clip_library(void) { return &d; }\n' > %t.desc.cpp
// RUN: c++ -shared -fPIC -I%clip_src -o %t.desc.so %t.desc.cpp
// RUN: not clip-run info %t.desc.so 2>&1 | FileCheck %s --check-prefix=DESC
// DESC: clip-run: {{.*}}desc.so: an inconsistent clip.so descriptor (not built by this clipc?): @step: output 0 `x`: 128 bytes at arena offset 64, outside the arena of 128 bytes

// Missing file, unknown command, bad option value.
// RUN: not clip-run info %t.missing.so 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: clip-run: {{.*}}missing.so: no such file
// RUN: not clip-run fly %t.so 2>&1 | FileCheck %s --check-prefix=COMMAND
// COMMAND: clip-run: unknown command `fly`
// RUN: not clip-run step %t.so --device tpu 2>&1 | FileCheck %s --check-prefix=DEVICE
// DEVICE: clip-run: --device must be cpu or cuda (got `tpu`)
// A GPU request for a library built for the CPU only (before any driver is
// looked for, so the same on every machine).
// RUN: not clip-run step %t.so --device cuda 2>&1 | FileCheck %s --check-prefix=NOCUDA
// NOCUDA: clip-run: {{.*}}.so: @train_step was compiled without the CUDA target (clipc --target cuda or all)
// RUN: not clip-run step %t.so --steps many 2>&1 | FileCheck %s --check-prefix=STEPS
// STEPS: clip-run: --steps wants a non-negative integer, got `many`
// RUN: not clip-run step %t.so --function nope 2>&1 | FileCheck %s --check-prefix=FUNCTION
// FUNCTION: clip-run: {{.*}}: no function `nope` (it has: forward, train_step, encode_image, encode_text)

// Inputs that do not fit the model.
// RUN: clip-run step %t.so --steps 0 --save-inputs %t.inputs.safetensors
// RUN: not clip-run step %t.so --inputs %t.so 2>&1 | FileCheck %s --check-prefix=CORRUPT
// CORRUPT: clip-run: {{.*}}

// train / eval / embed: bad flags, one message each.
// RUN: not clip-run train %t.so --lr fast 2>&1 | FileCheck %s --check-prefix=LR
// LR: clip-run: --lr wants a number, got `fast`
// RUN: not clip-run train %t.so --steps -3 2>&1 | FileCheck %s --check-prefix=TSTEPS
// TSTEPS: clip-run: --steps wants an integer >= 0, got `-3`
// RUN: not clip-run train %t.so --loss siglip 2>&1 | FileCheck %s --check-prefix=LOSS
// LOSS: clip-run: --loss siglip: {{.*}}.so was compiled with the clip loss; the loss is chosen when compiling (clipc --loss siglip)
// RUN: not clip-run train %t.so --loss hinge 2>&1 | FileCheck %s --check-prefix=LOSSNAME
// LOSSNAME: clip-run: --loss must be clip or siglip, got `hinge`
// RUN: not clip-run train %t.so --bogus 2>&1 | FileCheck %s --check-prefix=BOGUS
// BOGUS: clip-run: unknown option `--bogus` (see --help)
// RUN: not clip-run train %t.so --data imagenet --steps 1 2>&1 | FileCheck %s --check-prefix=DATA
// DATA: clip-run: --data must be fashion-mnist (or use --csv / --tar), got `imagenet`
// RUN: not clip-run train %t.so --resume %t.missing.safetensors 2>&1 | FileCheck %s --check-prefix=RESUME
// RESUME: clip-run: {{.*}}missing.safetensors{{.*}}
// RUN: not clip-run train %t.so --resume %t.inputs.safetensors 2>&1 | FileCheck %s --check-prefix=NOTCKPT
// NOTCKPT: clip-run: {{.*}}inputs.safetensors: not a checkpoint of this model: {{.*}}
// NOTCKPT-NEXT: 110 missing key(s): visual.conv1.weight,
// RUN: not clip-run eval %t.so 2>&1 | FileCheck %s --check-prefix=EVAL
// EVAL: clip-run: eval needs one clip.so file and --params (see --help)
// RUN: not clip-run embed %t.so --params %t.inputs.safetensors 2>&1 | FileCheck %s --check-prefix=EMBED
// EMBED: clip-run: embed needs one clip.so file, --params, and one of --images or --texts (see --help)
// RUN: clip-run train %t.so --help | FileCheck %s --check-prefix=HELP
// HELP: usage: clip-run train FILE.so [options]
// HELP: --lr X{{ +}}peak learning rate (default 5e-4)
