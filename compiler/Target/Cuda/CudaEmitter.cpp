//===- CudaEmitter.cpp - CUDA C++ and launch steps of a kernel function ---===//
//
// Prints each launch's KernelCall (compiler/Target/Common) as steps. GEMMs go
// to cuBLASLt (with its bias epilogue; GELU variants and residuals after an
// activation run in a generated epilogue kernel, since cuBLASLt's GELU is the
// tanh form only and it adds C before the activation). Every device phase is
// a `__global__` that calls the device library (runtime/cuda) with constant
// shapes; an op that needs a grid-wide barrier between phases is several
// kernels in a row. Elementwise kernels are generated loops (the same scalar
// code as the CPU target).
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/Cuda/CudaEmitter.h"
#include "compiler/Target/Common/KernelCall.h"
#include "runtime/abi/ClipLibrary.h"

#include "clip/IR/ClipOps.h"
#include "kernel/IR/KernelOps.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include "fmt/format.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::codegen;

namespace {

/// Grid-stride loops make any grid correct; this caps it where more blocks
/// would only queue.
constexpr int64_t kMaxGrid = int64_t{1} << 20;

class CudaFunctionEmitter {
public:
  CudaFunctionEmitter(func::FuncOp func, const BufferNames &names)
      : func(func), names(names) {}

  FailureOr<CudaFunction> emit();

private:
  LogicalResult emitLaunch(kernel::LaunchOp launch);
  void describeWrites(kernel::LaunchOp launch, CudaStep &last);
  LogicalResult emitStaged(kernel::LaunchOp launch);
  LogicalResult emitGemm(const GemmCall &g);
  void emitLoop(const ElementwiseLoop &loop);
  void emitPhase(const DevicePhase &phase);
  /// The first 256-aligned byte past the function's arena: where a
  /// launch's staging copies or scratch go.
  int64_t pastArena() {
    auto arena = func->getAttrOfType<IntegerAttr>("kernel.arena_bytes");
    return aligned256(arena ? arena.getInt() : 0);
  }
  static int64_t aligned256(int64_t bytes) { return (bytes + 255) / 256 * 256; }
  /// Adds `__global__ <launch>_<phase>` running `body` and its step.
  void kernel(StringRef phase, int64_t units, Units spread,
              const std::string &body, int errorSlot = -1,
              int64_t errorBound = 0, int block = 0);
  std::string in(Value v) const { return binding.pointer(v); }
  std::string out(Value v) const { return binding.pointer(v); }

  func::FuncOp func;
  const BufferNames &names;
  CudaFunction result;
  std::string kernels;
  LaunchBinding binding;
  std::string launchName;
  /// The `char *` of the current launch's device scratch, past the arena.
  std::string scratch;
};

void CudaFunctionEmitter::kernel(StringRef phase, int64_t units, Units spread,
                                 const std::string &body, int errorSlot,
                                 int64_t errorBound, int block) {
  CudaStep step;
  if (block > 0)
    step.block = block;
  step.launch = launchName;
  step.kernel = phase.empty() ? launchName : launchName + "_" + phase.str();
  const int64_t blocks = spread == Units::PerThread
                             ? (units + kCudaBlock - 1) / kCudaBlock
                             : units;
  step.grid = std::clamp<int64_t>(blocks, 1, kMaxGrid);
  step.errorSlot = errorSlot;
  step.errorBound = errorBound;
  kernels += fmt::format("extern \"C\" __global__ void {}(char *A, void *const "
                         "*P, void *const *I) {{\n  (void)A; (void)P; "
                         "(void)I;\n  {}\n}}\n\n",
                         step.kernel, body);
  result.steps.push_back(std::move(step));
}

FailureOr<CudaFunction> CudaFunctionEmitter::emit() {
  auto arena = func->getAttrOfType<IntegerAttr>("kernel.arena_bytes");
  result.arenaBytes = arena ? arena.getInt() : 0;
  for (auto launch : func.getOps<kernel::LaunchOp>()) {
    const size_t first = result.steps.size();
    if (failed(emitLaunch(launch)))
      return failure();
    if (result.steps.size() > first)
      describeWrites(launch, result.steps.back());
  }
  std::string constants;
  for (const BufferNames::Constant &constant : names.constants())
    constants +=
        fmt::format("__device__ const {} {}[] = {{{}}};\n",
                    constant.elementType, constant.name, constant.data);
  // A training function's unit carries the update's kernels too (the
  // runtime launches them by these names: runtime/abi/ClipLibrary.h).
  const bool training = llvm::any_of(
      func.getOps<kernel::OutputOp>(), [](kernel::OutputOp output) {
        return output.getName().starts_with(CLIP_GRAD_PREFIX);
      });
  if (training)
    kernels += fmt::format(
        "// The training update (runtime/cuda/Optimizer.cuh).\n"
        "extern \"C\" __global__ void {}(clip::cuda::TensorChunks c, const "
        "float *const *g, float *const *s, long long micro, long long accum) "
        "{{\n  clip::cuda::accumulateGradients(c, g, s, micro, accum);\n}}\n\n"
        "extern \"C\" __global__ void {}(clip::cuda::TensorChunks c, const "
        "float *const *g, double *partial) {{\n  clip::cuda::sumSquares(c, g, "
        "partial);\n}}\n\n"
        "extern \"C\" __global__ void {}(long long count, const double "
        "*partial, double maxNorm, double *norm) {{\n  "
        "clip::cuda::globalNorm(count, partial, maxNorm, norm);\n}}\n\n"
        "extern \"C\" __global__ void {}(clip::cuda::TensorChunks c, float "
        "*const *x, const float *const *g, float *const *m, float *const *v, "
        "const clip::scalar::AdamWStep *steps, const double *norm, long long "
        "clampTensor, float clampMax) {{\n  clip::cuda::adamw(c, x, g, m, v, "
        "steps, norm, clampTensor, clampMax);\n}}\n\n",
        CLIP_CUDA_ACCUMULATE, CLIP_CUDA_SUM_SQUARES, CLIP_CUDA_GLOBAL_NORM,
        CLIP_CUDA_ADAMW);
  result.source = fmt::format(
      "// Generated by clipc: the CUDA kernels of `{}`. Do not edit.\n"
      "// NVRTC has no <cstdint>; the generated code spells i64 as the CPU "
      "code does.\ntypedef long long int64_t;\n{}\n"
      "// Bad indices found by gathers: {{1, position, index}} per slot.\n"
      "__device__ long long clip_error[{}];\n{}\n{}",
      func.getSymName().str(), cudaDeviceLibrary(),
      3 * std::max(result.errorSlots, 1), constants, kernels);
  return std::move(result);
}

/// What the numerics check reads after `launch`: its float results in the
/// arena (f32, or the bf16 they are stored as).
void CudaFunctionEmitter::describeWrites(kernel::LaunchOp launch,
                                         CudaStep &last) {
  last.check = launchOrigin(launch);
  for (Value buffer : launch.getOuts()) {
    auto type = cast<MemRefType>(buffer.getType());
    Type element = type.getElementType();
    FailureOr<BufferRef> ref = names.reference(buffer);
    if ((!element.isF32() && !element.isBF16()) || failed(ref) ||
        ref->space != BufferRef::Arena)
      continue;
    last.writes.push_back(
        {*ref, type.getNumElements(), element.isBF16() ? CLIP_BF16 : CLIP_F32});
  }
}

LogicalResult CudaFunctionEmitter::emitLaunch(kernel::LaunchOp launch) {
  launchName = launch.getSymName().str();
  FailureOr<KernelCall> call = describeLaunch(launch, names, "CUDA", binding);
  if (failed(call))
    return failure();
  if (call->kind == KernelCall::Library && !call->deviceTakesBf16 &&
      binding.needsStaging(launch.getKernelOp()))
    return emitStaged(launch);
  scratch.clear();
  if (call->deviceScratchBytes > 0) {
    // Past the arena, as the staging copies: live during this launch only.
    const int64_t base = pastArena();
    result.arenaBytes =
        std::max(result.arenaBytes, base + call->deviceScratchBytes);
    scratch = fmt::format("(A + {})", base);
  }
  switch (call->kind) {
  case KernelCall::Elementwise:
    emitLoop(*call->loop);
    return success();
  case KernelCall::Gemm:
    if (failed(emitGemm(*call->gemm)))
      return failure();
    break;
  case KernelCall::None: // describeLaunch reports these
  case KernelCall::Library:
    break;
  }
  for (const DevicePhase &phase : call->device)
    emitPhase(phase);
  return success();
}

/// A device-library call on bf16 buffers: the library computes on f32
/// arrays, so each bf16 operand is widened into an f32 copy past the arena
/// (a `_widen<k>` kernel), the call's phases run on the copies, and each
/// result is rounded back (`_narrow<k>`): the CPU's staging, on the device.
/// Correct first; the kernels issue gives these ops bf16-native kernels.
LogicalResult CudaFunctionEmitter::emitStaged(kernel::LaunchOp launch) {
  int64_t next = pastArena();
  std::vector<LaunchBinding::Staging> stagings;
  binding = binding.staged([](size_t k) { return fmt::format("{}", k); },
                           [&](size_t, int64_t count) {
                             std::string pointer = fmt::format(
                                 "reinterpret_cast<float*>(A + {})", next);
                             next += aligned256(count * 4);
                             return pointer;
                           },
                           stagings);
  FailureOr<KernelCall> call = describeKernel(launch.getKernelOp(), binding);
  if (failed(call))
    return failure();
  // The call's device scratch, past the copies.
  scratch.clear();
  if (call->deviceScratchBytes > 0) {
    scratch = fmt::format("(A + {})", next);
    next += aligned256(call->deviceScratchBytes);
  }
  result.arenaBytes = std::max(result.arenaBytes, next);
  for (const LaunchBinding::Staging &s : stagings)
    if (!s.result)
      kernel("widen" + s.name, s.count, Units::PerThread,
             fmt::format("clip::cuda::widenBf16({}, {}, {});", s.count,
                         s.pointer, s.copy));
  for (const DevicePhase &phase : call->device)
    emitPhase(phase);
  for (const LaunchBinding::Staging &s : stagings)
    if (s.result)
      kernel("narrow" + s.name, s.count, Units::PerThread,
             fmt::format("clip::cuda::narrowBf16({}, {}, {});", s.count, s.copy,
                         s.pointer));
  return success();
}

void CudaFunctionEmitter::emitLoop(const ElementwiseLoop &loop) {
  std::string body = fmt::format(
      "for (long long i = (long long)blockIdx.x * blockDim.x + "
      "threadIdx.x; i < {}; i += (long long)gridDim.x * blockDim.x) {{\n",
      loop.count);
  for (const std::string &statement : loop.body)
    body += "    " + statement + "\n";
  kernel("", loop.count, Units::PerThread, body + "  }");
}

void CudaFunctionEmitter::emitPhase(const DevicePhase &phase) {
  // Gathers report a bad index through a slot of clip_error.
  const int slot = phase.errorBound >= 0 ? result.errorSlots++ : -1;
  std::string body;
  if (!phase.call.arrays.empty())
    body = fmt::format("const long long {};\n  ", printArrays(phase.call));
  body += printCall(phase.call, "clip::cuda",
                    fmt::format("clip_error + {}", 3 * slot), scratch) +
          ";";
  kernel(phase.name, phase.units, phase.spread, body, slot,
         std::max<int64_t>(phase.errorBound, 0), phase.block);
}

LogicalResult CudaFunctionEmitter::emitGemm(const GemmCall &g) {
  CudaStep step;
  step.kind = CudaStep::Gemm;
  step.launch = launchName;
  step.gemm.shape = g.shape;
  step.gemm.transposeA = g.transposeA;
  step.gemm.transposeB = g.transposeB;
  // cuBLASLt reads its operands from buffers (a constant fails here, with
  // an error at its definition).
  auto ref = [&](Value value) -> FailureOr<BufferRef> {
    if (!value)
      return BufferRef{};
    return names.reference(binding.buffer(value));
  };
  auto storage = [&](Value value) {
    return dtypeCode(
        cast<MemRefType>(binding.buffer(value).getType()).getElementType());
  };
  // cuBLASLt adds C before its epilogue; our residual comes after the
  // activation, so with an activation it moves to the epilogue kernel. So
  // does a residual stored in another type than the result (cuBLASLt's C
  // and D share one type).
  const bool epilogue =
      g.activation != Activation::none ||
      (g.residual && storage(g.residual) != storage(g.result));
  FailureOr<BufferRef> ra = ref(g.a), rb = ref(g.b), rc = ref(g.result),
                       rbias = ref(g.bias),
                       rres = ref(epilogue ? Value() : g.residual);
  if (failed(ra) || failed(rb) || failed(rc) || failed(rbias) || failed(rres))
    return failure();
  step.gemm.a = *ra;
  step.gemm.b = *rb;
  step.gemm.c = *rc;
  step.gemm.bias = *rbias;
  step.gemm.residual = *rres;
  step.gemm.typeA = storage(g.a);
  step.gemm.typeB = storage(g.b);
  step.gemm.typeC = storage(g.result);
  result.steps.push_back(std::move(step));
  if (epilogue) {
    const int64_t count = product(shapeOf(g.result));
    kernel("epilogue", count, Units::PerThread,
           fmt::format("clip::cuda::gemmEpilogue({}, {}, {}, {});", count,
                       static_cast<int>(g.activation),
                       g.residual ? in(g.residual) : "nullptr", out(g.result)));
  }
  return success();
}

} // namespace

namespace mlir::clip::codegen {

FailureOr<CudaFunction> emitCudaFunction(func::FuncOp func,
                                         const BufferNames &names) {
  return CudaFunctionEmitter(func, names).emit();
}

} // namespace mlir::clip::codegen
