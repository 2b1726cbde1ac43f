//===- KernelCall.h - One launch, described once for every target ---------===//
//
// What a kernel.launch runs, computed once from its kernel op and printed by
// each target (compiler/Target/Library for the CPU, compiler/Target/Cuda):
// the calls into the CPU kernel library (runtime/cpu) and the device phases
// of the CUDA one (runtime/cuda), with every argument (shapes, geometry,
// pointers into the function's buffers) already worked out. A target only
// chooses its namespace, its integer spelling and how a phase is launched.
// Adding an op to the code generators means one case in KernelCall.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_TARGET_COMMON_KERNELCALL_H
#define CLIP_COMPILER_TARGET_COMMON_KERNELCALL_H

#include "compiler/Target/Common/ElementwiseEmitter.h"
#include "compiler/Target/Common/KernelArguments.h"

#include "clip/IR/ClipOps.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlir::clip::codegen {

/// One argument of a kernel-library call.
struct CallArg {
  enum Kind {
    Expr,      ///< a C++ expression, the same on every target
    Conv2D,    ///< `<ns>::Conv2DShape` + text (an initializer list)
    Pool2D,    ///< `<ns>::Pool2DShape` + text
    ErrorSlot, ///< the device's slot for bad indices (CUDA only)
    Scratch,   ///< `text *` at byte `offset` of the launch's device scratch
  };
  Kind kind = Expr;
  std::string text;
  int64_t offset = 0;
};

/// A call of one function of a kernel library, after its constant arrays
/// (`name[] = {...}`) are declared.
struct LibraryCall {
  std::string function;
  std::vector<CallArg> args;
  std::vector<std::pair<std::string, Shape>> arrays;
  /// A gather's bounds check: the call returns the first bad position (or
  /// -1) of `indices` against [0, bound); the CPU target reports it.
  std::optional<std::pair<std::string, int64_t>> indexCheck;
};

/// How a device phase spreads its work (runtime/cuda documents the units of
/// each function): one thread or one block per unit.
enum class Units { PerThread, PerBlock };

/// One `__global__` of the CUDA target: phases of a launch run in order, the
/// grid-wide barrier between them is what splits an op into phases.
struct DevicePhase {
  std::string name; ///< suffix of the launch's name ("" for none)
  int64_t units = 1;
  Units spread = Units::PerThread;
  LibraryCall call;
  /// Bad indices are checked against this bound (gathers) when >= 0.
  int64_t errorBound = -1;
  /// Threads per block when the function needs a fixed number (the
  /// warp-tiled tensor-core kernels); 0: the library's block size.
  int block = 0;
};

/// A GEMM with its fused epilogue (bias, activation, residual).
struct GemmCall {
  Value a, b, bias, residual, result;
  bool transposeA = false, transposeB = false;
  Activation activation = Activation::none;
  GemmShape shape;
};

struct KernelCall {
  enum Kind {
    None,        ///< no kernel for this op
    Library,     ///< `host` and `device` calls
    Gemm,        ///< `gemm` (the targets' GEMM engines), then `device`
    Elementwise, ///< `loop`, the targets' own loops around it
  };
  Kind kind = None;
  std::vector<LibraryCall> host;   ///< the CPU target's calls, in order
  std::vector<DevicePhase> device; ///< the CUDA target's phases, in order
  /// The device phases take the launch's bf16 buffers as they are (no
  /// f32 staging): the tensor-core kernels.
  bool deviceTakesBf16 = false;
  /// Bytes of device memory the phases use between them and nothing after
  /// (CallArg::Scratch): the CUDA target places it past the arena.
  int64_t deviceScratchBytes = 0;
  std::optional<GemmCall> gemm;
  std::optional<ElementwiseLoop> loop;
};

/// The calls of `op`, the kernel op of a launch whose buffers `binding`
/// names. Fails (with an error at `op`) when the op's arguments cannot be
/// described; an op no library has is Kind::None, for the target to report.
FailureOr<KernelCall> describeKernel(Operation *op,
                                     const LaunchBinding &binding);

/// Binds `launch`'s buffers (into `binding`) and describes its kernel op
/// for `target` ("CPU", "CUDA"): fails with an error at the op when a
/// library kernel would read other than f32, or when the target has no
/// kernel for it. The result is never Kind::None.
FailureOr<KernelCall> describeLaunch(kernel::LaunchOp launch,
                                     const BufferNames &names, StringRef target,
                                     LaunchBinding &binding);

/// `arg` as the target spells it: `ns` is its library's namespace
/// (`clip::cpu`), `errorSlot` the CUDA error slot expression, `scratch` a
/// `char *` expression of the launch's device scratch.
std::string printArg(const CallArg &arg, StringRef ns, StringRef errorSlot = "",
                     StringRef scratch = "");
/// `ns::function(args)`.
std::string printCall(const LibraryCall &call, StringRef ns,
                      StringRef errorSlot = "", StringRef scratch = "");
/// `name[] = {...}, ...` of the call's arrays.
std::string printArrays(const LibraryCall &call);

/// What a launch is, for messages of the numerics check on either target:
/// "kernel attention_11 (clip.attention at vit_tiny28.mlir:73:16)" (the
/// model op's first file location; none when it has none).
std::string launchOrigin(kernel::LaunchOp launch);

/// `text` as a C string literal, quotes and backslashes escaped, newlines
/// as spaces.
std::string cStringLiteral(StringRef text);

} // namespace mlir::clip::codegen

#endif // CLIP_COMPILER_TARGET_COMMON_KERNELCALL_H
