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
#define CLIP_LIBRARY_ABI_VERSION 1
#define CLIP_LIBRARY_MAGIC 0x434c4950u /* "CLIP" */

typedef enum ClipDType { CLIP_F32 = 0, CLIP_I64 = 1, CLIP_BOOL = 2 } ClipDType;

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
 * order. Returns 0, or non-zero with a message in `error` (e.g. a token id
 * out of range). */
typedef int32_t (*ClipCpuEntry)(void *arena, void *const *params,
                                void *const *inputs, char *error,
                                size_t errorSize);

typedef struct ClipFunctionDesc {
  const char *name;
  int64_t arenaBytes;
  int64_t bufferBytes;   /* every buffer, unshared */
  int64_t peakLiveBytes; /* lower bound for any plan */
  int32_t numParams, numInputs, numOutputs, numKernels;
  const ClipTensorDesc *params, *inputs, *outputs;
  const ClipKernelDesc *kernels;
  ClipCpuEntry runCpu;    /* NULL when compiled without the CPU target */
  const char *cudaSource; /* NULL when compiled without the CUDA target */
} ClipFunctionDesc;

typedef struct ClipLibraryDesc {
  uint32_t magic;
  int32_t abiVersion;
  const char *model;   /* the source file clipc compiled */
  const char *remat;   /* the training function's remat policy */
  int64_t batchSize;
  int32_t numFunctions;
  const ClipFunctionDesc *functions;
} ClipLibraryDesc;

/* The one exported symbol. */
typedef const ClipLibraryDesc *(*ClipLibraryEntry)(void);
#define CLIP_LIBRARY_SYMBOL "clip_library"

#ifdef __cplusplus
}
#endif

#endif /* CLIP_RUNTIME_ABI_CLIPLIBRARY_H */
