//===- CpuEmitter.cpp - C++ entry point of a kernel function --------------===//

#include "compiler/Target/Cpu/CpuEmitter.h"
#include "compiler/Target/Common/KernelCall.h"

#include "clip/IR/ClipOps.h"
#include "kernel/IR/KernelOps.h"
#include "runtime/cpu/CpuKernels.h"

#include "fmt/format.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::codegen;

// The generated code casts the dialect's epilogue activation to the CPU
// library's (and the CUDA kernels take the same integer): one numbering.
static_assert(int(mlir::clip::Activation::none) ==
                      int(::clip::cpu::Activation::None) &&
                  int(mlir::clip::Activation::gelu) ==
                      int(::clip::cpu::Activation::Gelu) &&
                  int(mlir::clip::Activation::gelu_tanh) ==
                      int(::clip::cpu::Activation::GeluTanh) &&
                  int(mlir::clip::Activation::quick_gelu) ==
                      int(::clip::cpu::Activation::QuickGelu),
              "clip.gemm's Activation must number as clip::cpu::Activation");

namespace {

constexpr const char *kNamespace = "clip::cpu";

class CpuFunctionEmitter {
public:
  CpuFunctionEmitter(func::FuncOp func, const BufferNames &names,
                     llvm::raw_ostream &os)
      : func(func), names(names), os(os) {}

  LogicalResult emit();

private:
  LogicalResult emitLaunch(kernel::LaunchOp launch);
  void emitNumericsCheck(kernel::LaunchOp launch);
  LogicalResult emitStaged(kernel::LaunchOp launch);
  void emitCall(const LibraryCall &call);
  void emitGemm(const GemmCall &g);
  void emitLoop(const ElementwiseLoop &loop);
  std::string pointer(Value v) const { return binding.pointer(v); }
  void line(const std::string &text) { os << "  " << text << "\n"; }

  func::FuncOp func;
  const BufferNames &names;
  llvm::raw_ostream &os;
  LaunchBinding binding;
  std::string launchName;
};

LogicalResult CpuFunctionEmitter::emit() {
  for (const BufferNames::Constant &constant : names.constants())
    os << fmt::format("alignas(64) const {} {}[] = {{{}}};\n",
                      constant.elementType, constant.name, constant.data);

  os << fmt::format(
      "\nint32_t run_{}(void *arena, void *const *P, void *const *I, "
      "int32_t options, char *error, size_t errorSize) {{\n",
      func.getSymName().str());
  line("char *const A = static_cast<char *>(arena);");
  line("(void)A; (void)P; (void)I; (void)options; (void)error; "
       "(void)errorSize;");
  for (auto launch : func.getOps<kernel::LaunchOp>()) {
    if (failed(emitLaunch(launch)))
      return failure();
    emitNumericsCheck(launch);
  }
  line("return 0;");
  os << "}\n\n";
  return success();
}

LogicalResult CpuFunctionEmitter::emitLaunch(kernel::LaunchOp launch) {
  launchName = launch.getSymName().str();
  line("// " + launchName);
  FailureOr<KernelCall> call = describeLaunch(launch, names, "CPU", binding);
  if (failed(call))
    return failure();
  if (call->kind != KernelCall::Elementwise &&
      binding.needsStaging(launch.getKernelOp()))
    return emitStaged(launch);
  switch (call->kind) {
  case KernelCall::Elementwise:
    emitLoop(*call->loop);
    return success();
  case KernelCall::Gemm:
    emitGemm(*call->gemm);
    return success();
  case KernelCall::None: // describeLaunch reports these
  case KernelCall::Library:
    for (const LibraryCall &c : call->host)
      emitCall(c);
    return success();
  }
  llvm_unreachable("unknown kernel call kind");
}

/// With CLIP_RUN_CHECK_NUMERICS: every float buffer the launch wrote must be
/// finite, or the function stops naming the launch, its op and the element.
void CpuFunctionEmitter::emitNumericsCheck(kernel::LaunchOp launch) {
  const std::string origin = launchOrigin(launch);
  for (auto [k, buffer] : llvm::enumerate(launch.getOuts())) {
    auto type = cast<MemRefType>(buffer.getType());
    Type element = type.getElementType();
    if (!element.isF32() && !element.isBF16())
      continue;
    FailureOr<std::string> pointer = names.pointer(buffer);
    if (failed(pointer))
      continue;
    const std::string what = fmt::format("{}, output {}", origin, k);
    line(fmt::format("if ((options & CLIP_RUN_CHECK_NUMERICS) && "
                     "clip::cpu::reportNonFinite({}, {}, {}, {}, error, "
                     "errorSize))",
                     *pointer, type.getNumElements(),
                     element.isBF16() ? "true" : "false", cStringLiteral(what)));
    line("  return 2;");
  }
}

/// A library call on bf16 buffers: through f32 copies (Bf16Staging), the
/// results rounded back once the call has run.
LogicalResult CpuFunctionEmitter::emitStaged(kernel::LaunchOp launch) {
  std::vector<LaunchBinding::Staging> stagings;
  auto name = [](size_t k) { return fmt::format("s{}", k); };
  binding = binding.staged(
      name, [&](size_t k, int64_t) { return name(k) + ".data()"; }, stagings);
  FailureOr<KernelCall> call = describeKernel(launch.getKernelOp(), binding);
  if (failed(call))
    return failure();
  line("{ // bf16 storage: the call computes on f32 copies");
  for (const LaunchBinding::Staging &s : stagings)
    line(fmt::format("  clip::cpu::Bf16Staging {}({}, {}{});", s.name,
                     s.pointer, s.count, s.result ? ", true" : ""));
  if (call->kind == KernelCall::Gemm)
    emitGemm(*call->gemm);
  else
    for (const LibraryCall &c : call->host)
      emitCall(c);
  for (const LaunchBinding::Staging &s : stagings)
    if (s.result)
      line(fmt::format("  {}.store();", s.name));
  line("}");
  return success();
}

void CpuFunctionEmitter::emitLoop(const ElementwiseLoop &loop) {
  line(fmt::format("#pragma omp parallel for schedule(static) if ({} >= "
                   "32768)",
                   loop.count));
  line(fmt::format("for (int64_t i = 0; i < {}; ++i) {{", loop.count));
  for (const std::string &statement : loop.body)
    line("  " + statement);
  line("}");
}

void CpuFunctionEmitter::emitCall(const LibraryCall &call) {
  const std::string text = printCall(call, kNamespace);
  if (call.indexCheck) {
    // The library returns the first bad position: report it with the
    // launch's name and stop the function.
    const auto &[indices, bound] = *call.indexCheck;
    line(fmt::format("if (const int64_t bad = {}; bad >= 0) {{", text));
    line(fmt::format(
        "  snprintf(error, errorSize, \"{}: index %lld at position %lld is "
        "outside [0, {})\", static_cast<long long>({}[bad]), "
        "static_cast<long long>(bad));",
        launchName, bound, indices));
    line("  return 1;");
    line("}");
  } else if (!call.arrays.empty()) {
    line(fmt::format("{{ const int64_t {};", printArrays(call)));
    line(fmt::format("  {}; }}", text));
  } else {
    line(text + ";");
  }
}

void CpuFunctionEmitter::emitGemm(const GemmCall &g) {
  line("{ clip::cpu::GemmArgs g;");
  line(fmt::format("  g.batch = {}; g.m = {}; g.n = {}; g.k = {};",
                   g.shape.batch, g.shape.m, g.shape.n, g.shape.k));
  line(fmt::format("  g.transposeA = {}; g.transposeB = {};", g.transposeA,
                   g.transposeB));
  line(fmt::format("  g.a = {}; g.strideA = {}; g.b = {}; g.strideB = {};",
                   pointer(g.a), g.shape.strideA, pointer(g.b),
                   g.shape.strideB));
  line(fmt::format("  g.c = {}; g.strideC = {};", pointer(g.result),
                   g.shape.strideC));
  if (g.bias)
    line(fmt::format("  g.bias = {};", pointer(g.bias)));
  if (g.activation != Activation::none)
    line(fmt::format("  g.activation = clip::cpu::Activation({});",
                     static_cast<int>(g.activation)));
  if (g.residual)
    line(fmt::format("  g.residual = {};", pointer(g.residual)));
  line("  clip::cpu::gemm(g); }");
}

} // namespace

namespace mlir::clip::codegen {

LogicalResult emitCpuFunction(func::FuncOp func, const BufferNames &names,
                              llvm::raw_ostream &os) {
  return CpuFunctionEmitter(func, names, os).emit();
}

} // namespace mlir::clip::codegen
