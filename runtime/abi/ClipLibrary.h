/*===- ClipLibrary.h - The C ABI of a compiled clip.so ----------------------===
 *
 * What `clipc` writes and `clip-run` reads. A clip.so exports one symbol,
 * `clip_library`, returning a description of itself: the model, the batch it
 * was compiled for, and per function (train_step, forward, encode_image,
 * encode_text) its parameters, inputs and outputs with names, dtypes and
 * shapes, the arena it needs, its kernels in schedule order, the CPU entry
 * point, and the CUDA source of its kernels. Plain C so that any loader can
 * read it; the version is checked before anything else.
 *
 *===----------------------------------------------------------------------===*/
#ifndef CLIP_RUNTIME_ABI_CLIPLIBRARY_H
#define CLIP_RUNTIME_ABI_CLIPLIBRARY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any change to the structs below. */
#define CLIP_LIBRARY_ABI_VERSION 8
#define CLIP_LIBRARY_MAGIC 0x434c4950u /* "CLIP" */

/* The x86-64 level a clip.so's CPU code is compiled for (clipc's and the
 * CPU kernel library's -march), the same on every machine so that a clip.so
 * built on one runs on any other of that level; the loader refuses a CPU
 * below it before loading anything. */
#define CLIP_CPU_ISA "x86-64-v3"

/* Checks the CPU's BLAS on the GEMM shapes the kernels use; returns 0, or
 * non-zero with a message in `error`. */
typedef int32_t (*ClipCpuSelfCheck)(char *error, size_t errorSize);

/* Output names of a training function: the gradient of parameter P is
 * "grad/P", BatchNorm's updated running statistic P is "update/P"; any other
 * result i is "result<i>". */
#define CLIP_GRAD_PREFIX "grad/"
#define CLIP_UPDATE_PREFIX "update/"

/* `clipc --distributed` also splits the training function at its loss, so
 * that a runtime can take the loss over the features of every process
 * (runtime/dist, docs/distributed.md):
 *   CLIP_TRAIN_EMBED: the towers' forward on the local batch; outputs
 *     CLIP_IMAGE_FEATURES and CLIP_TEXT_FEATURES (before normalization),
 *     BatchNorm updates, and every value the backward reads, named
 *     CLIP_SAVED_PREFIX<k>;
 *   CLIP_TRAIN_BACKWARD: the rest of the gradient; inputs the gradients of
 *     the features and of logit_scale (and, for SigLIP's sigmoid loss, of
 *     logit_bias) that it reads (CLIP_GRAD_PREFIX + the name), the
 *     saved values by name, and the model's own inputs it reads; outputs the
 *     parameters' gradients ("grad/P"), but for one that is one of its
 *     inputs unchanged (logit_scale's, logit_bias's).
 * Between the two, the runtime takes the loss (OpenCLIP's ClipLoss, or its
 * SigLipLoss where the model has a CLIP_LOGIT_BIAS parameter;
 * F.normalize's clamp the descriptor's lossEpsilon) and the features'
 * gradients itself. */
#define CLIP_TRAIN_STEP "train_step"
#define CLIP_TRAIN_EMBED "train_embed"
#define CLIP_TRAIN_BACKWARD "train_backward"
#define CLIP_IMAGE_FEATURES "features/image"
#define CLIP_TEXT_FEATURES "features/text"
#define CLIP_LOGIT_SCALE "logit_scale"
#define CLIP_LOGIT_BIAS "logit_bias"
#define CLIP_SAVED_PREFIX "saved/"
/* Patch dropout (OpenCLIP's PatchDropout, FLIP): a training function of a
 * model generated with it takes an i64 input [batch, kept] naming, for each
 * image, the patches (0-based, class token excluded) that go on; the
 * runtime draws them (distinct, from the pair's random numbers). */
#define CLIP_PATCH_KEEP "patch_keep"
/* Dropout (clip.dropout): a training function with dropout takes a rank-0
 * i64 input, the seed of its masks; the runtime gives every micro-batch its
 * own (below 2^53, which the reference evaluator holds exactly). */
#define CLIP_RNG_SEED "rng_seed"

/* Parameters, inputs and outputs are f32, i64 or bool; CLIP_BF16 is the
 * storage of arena buffers under `--precision bf16` (GEMM operands). */
typedef enum ClipDType {
  CLIP_F32 = 0,
  CLIP_I64 = 1,
  CLIP_BOOL = 2,
  CLIP_BF16 = 3
} ClipDType;

typedef struct ClipTensorDesc {
  const char *name;
  int32_t dtype; /* ClipDType */
  int32_t rank;
  const int64_t *shape;
  /* Outputs: byte offset of the tensor in the arena; -1 elsewhere. */
  int64_t arenaOffset;
} ClipTensorDesc;

typedef struct ClipKernelDesc {
  const char *name; /* "gemm_12": kind and position in the schedule */
  const char *kind; /* "gemm", "attention_grad", "elementwise", ... */
} ClipKernelDesc;

/* Runs the function on the CPU. `arena` has arenaBytes bytes (64-byte
 * aligned); params and inputs point at the bound tensors in descriptor
 * order; `options` is a set of CLIP_RUN_* flags. Returns 0, or non-zero with
 * a message in `error` (e.g. a token id out of range). */
typedef int32_t (*ClipCpuEntry)(void *arena, void *const *params,
                                void *const *inputs, int32_t options,
                                char *error, size_t errorSize);

/* After every kernel, check that its float outputs are finite; the first
 * NaN or Inf stops the function, naming the kernel, the model op it runs
 * (file:line:column) and the element. */
#define CLIP_RUN_CHECK_NUMERICS 1

/* Where a buffer of a function lives: the arena (byte offset), or the
 * index-th bound parameter or input (plus a byte offset into it). */
typedef enum ClipSpace {
  CLIP_SPACE_NONE = -1,
  CLIP_SPACE_ARENA = 0,
  CLIP_SPACE_PARAM = 1,
  CLIP_SPACE_INPUT = 2
} ClipSpace;

typedef struct ClipBufferRef {
  int32_t space; /* ClipSpace */
  int32_t index;
  int64_t byteOffset;
} ClipBufferRef;

/* A row-major GEMM the CUDA runtime runs with cuBLASLt, f32 accumulation:
 * c[b] = op(a[b]) op(b[b]) (+ bias[n]) (+ residual[b]), batch strides in
 * elements (0 broadcasts). An activation, when the kernel has one, is a
 * separate CLIP_CUDA_KERNEL step after it. Storage types (ClipDType, f32 or
 * bf16) of a, b and c (the residual's is c's); bias is f32. */
typedef struct ClipCudaGemm {
  int64_t batch, m, n, k;
  int32_t transposeA, transposeB;
  ClipBufferRef a, b, c, bias, residual;
  int64_t strideA, strideB, strideC;
  int32_t typeA, typeB, typeC;
} ClipCudaGemm;

/* A training function's CUDA unit (one with "grad/" outputs) also holds the
 * training update's kernels (runtime/cuda/Optimizer.cuh), for a runtime that
 * keeps parameters, gradients and AdamW moments on the device; their
 * parameters are those of the device functions they wrap:
 *   CLIP_CUDA_ACCUMULATE  (TensorChunks, const float *const *grads,
 *                          float *const *sums, long long micro, long long accum)
 *   CLIP_CUDA_SUM_SQUARES (TensorChunks, const float *const *grads,
 *                          double *partial)
 *   CLIP_CUDA_GLOBAL_NORM (long long count, const double *partial,
 *                          double maxNorm, double *norm)
 *   CLIP_CUDA_ADAMW       (TensorChunks, float *const *values,
 *                          const float *const *grads, float *const *m,
 *                          float *const *v, const AdamWStep *steps,
 *                          const double *norm, long long clampTensor,
 *                          float clampMax) */
#define CLIP_CUDA_ACCUMULATE "clip_accumulate_gradients"
#define CLIP_CUDA_SUM_SQUARES "clip_sum_squares"
#define CLIP_CUDA_GLOBAL_NORM "clip_global_norm"
#define CLIP_CUDA_ADAMW "clip_adamw"

typedef enum ClipCudaStepKind {
  CLIP_CUDA_KERNEL = 0, /* launch `kernel` of the function's CUDA source */
  CLIP_CUDA_GEMM = 1    /* run `gemm` with cuBLASLt */
} ClipCudaStepKind;

/* A float buffer a launch writes, which CLIP_RUN_CHECK_NUMERICS checks on
 * the GPU once the launch's last step has run: `elements` values of `dtype`
 * (CLIP_F32 or CLIP_BF16) at `buffer` (in the arena). */
typedef struct ClipCudaWrite {
  ClipBufferRef buffer;
  int64_t elements;
  int32_t dtype;
} ClipCudaWrite;

/* One step of a function on the GPU, in schedule order. Every kernel takes
 * (char *arena, void *const *params, void *const *inputs) and uses 1-D
 * grids of `grid` blocks of `block` threads with `sharedBytes` of dynamic
 * shared memory (the runtime raises the kernel's limit past 48 KiB). A step
 * with errorSlot >= 0 may record a bad index in the source's
 * `clip_error[3 * errorSlot ...]` as {1, position, index}, an index outside
 * [0, errorBound). */
typedef struct ClipCudaStep {
  int32_t kind;       /* ClipCudaStepKind */
  const char *launch; /* the kernel of the plan it belongs to ("gather_3") */
  const char *kernel; /* CLIP_CUDA_KERNEL: the __global__ function */
  int64_t grid;
  int32_t block;
  int32_t errorSlot;
  int64_t errorBound;
  ClipCudaGemm gemm;
  int32_t sharedBytes;
  /* On the last step of a launch: what it is ("kernel gemm_3 (clip.matmul
   * at vit.mlir:12:9)") and the float buffers it wrote; NULL / 0 elsewhere. */
  const char *check;
  int32_t numWrites;
  const ClipCudaWrite *writes;
} ClipCudaStep;

typedef struct ClipFunctionDesc {
  const char *name;
  int64_t arenaBytes;
  int64_t bufferBytes;   /* every buffer, unshared */
  int64_t peakLiveBytes; /* lower bound for any plan */
  int32_t numParams, numInputs, numOutputs, numKernels;
  const ClipTensorDesc *params, *inputs, *outputs;
  const ClipKernelDesc *kernels;
  ClipCpuEntry runCpu; /* NULL when compiled without the CPU target */
  /* The CUDA target (NULL / 0 without it): the CUDA C++ of every kernel,
   * compiled at run time by NVRTC, and the steps that run the function. */
  const char *cudaSource;
  int32_t numCudaSteps;
  int32_t numErrorSlots;
  const ClipCudaStep *cudaSteps;
  /* The cubin clipc compiled cudaSource into (and checked) for cudaArch
   * ("sm_90"), with NVRTC's options (runtime/gpu/Nvrtc.h); NULL / 0 when
   * not stored. On a device of that architecture the runtime loads it
   * instead of compiling. */
  const char *cudaArch;
  const unsigned char *cudaCubin;
  int64_t cudaCubinSize;
  /* The device arena: arenaBytes plus, past it, the f32 copies through
   * which device-library kernels read and write bf16 buffers (0 without
   * the CUDA target). */
  int64_t cudaArenaBytes;
} ClipFunctionDesc;

typedef struct ClipLibraryDesc {
  uint32_t magic;
  int32_t abiVersion;
  const char *model; /* the source file clipc compiled */
  const char *remat; /* the training function's remat policy */
  int64_t batchSize;
  int32_t numFunctions;
  const ClipFunctionDesc *functions;
  const char *cpuIsa;            /* CLIP_CPU_ISA when it was compiled */
  ClipCpuSelfCheck cpuSelfCheck; /* clip::cpu::selfCheck */
  /* Storage of activations: "fp32" or "bf16" (f32 arithmetic either way;
   * parameters, inputs, outputs and the optimizer are f32). */
  const char *precision;
  /* The contrastive loss's norm clamp (its epsilon) when the library has
   * CLIP_TRAIN_EMBED and CLIP_TRAIN_BACKWARD; 0 otherwise. */
  double lossEpsilon;
} ClipLibraryDesc;

/* The one exported symbol. */
typedef const ClipLibraryDesc *(*ClipLibraryEntry)(void);
#define CLIP_LIBRARY_SYMBOL "clip_library"

#ifdef __cplusplus
}
#endif

#endif /* CLIP_RUNTIME_ABI_CLIPLIBRARY_H */
