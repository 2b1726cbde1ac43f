//===- LibraryEmitter.cpp - C++ source of a clip.so -----------------------===//
//
// One translation unit per model: each function's CPU entry point
// (compiler/Target/Cpu), its CUDA unit and steps (compiler/Target/Cuda), and
// everything the runtime needs to bind and run it as static descriptor
// tables (the clip.so ABI, runtime/abi/ClipLibrary.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/Library/LibraryEmitter.h"
#include "compiler/Target/Common/KernelArguments.h"
#include "compiler/Target/Common/KernelCall.h"
#include "compiler/Target/Cpu/CpuEmitter.h"

#include "clip/IR/ClipOps.h"
#include "kernel/IR/KernelOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "fmt/format.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::codegen;

namespace {

/// Writes one function's descriptor tables.
class FunctionEmitter {
public:
  FunctionEmitter(func::FuncOp func, const BufferNames &names,
                  llvm::raw_ostream &os)
      : func(func), names(names), os(os), prefix(func.getSymName().str()) {}

  /// The descriptor tables; `cuda` is null without the CUDA target.
  void emitTables(const CudaFunction *cuda);

private:
  void emitCudaTables(const CudaFunction &cuda);

  func::FuncOp func;
  const BufferNames &names;
  llvm::raw_ostream &os;
  std::string prefix;
};

void FunctionEmitter::emitTables(const CudaFunction *cuda) {
  auto tensorTable = [&](const std::string &name, auto &&ops, auto &&nameOf,
                         auto &&offsetOf) {
    std::string rows;
    for (auto [i, op] : llvm::enumerate(ops)) {
      auto type = cast<MemRefType>(op->getResult(0).getType());
      os << fmt::format("const int64_t {}_{}_shape{}[] = {};\n", prefix, name,
                        i, list(type.getShape()));
      rows += fmt::format("  {{\"{}\", {}, {}, {}_{}_shape{}, {}}},\n",
                          nameOf(op), dtypeCode(type.getElementType()),
                          type.getRank(), prefix, name, i, offsetOf(op));
    }
    os << fmt::format("const ClipTensorDesc {}_{}[] = {{\n{}  {{}}}};\n",
                      prefix, name, rows);
  };
  tensorTable(
      "params", names.params(), [](auto p) { return p.getName().str(); },
      [](auto) { return int64_t{-1}; });
  tensorTable(
      "inputs", names.inputs(), [](auto p) { return p.getName().str(); },
      [](auto) { return int64_t{-1}; });

  // Outputs: the arena offset of the buffer they name (through views).
  std::vector<kernel::OutputOp> outputs(func.getOps<kernel::OutputOp>().begin(),
                                        func.getOps<kernel::OutputOp>().end());
  std::vector<int64_t> offsets;
  for (kernel::OutputOp output : outputs) {
    FailureOr<BufferRef> where = names.reference(output.getBuffer());
    offsets.push_back(succeeded(where) && where->space == BufferRef::Arena
                          ? where->byteOffset
                          : -1);
  }
  std::string rows;
  for (auto [i, output] : llvm::enumerate(outputs)) {
    auto type = cast<MemRefType>(output.getBuffer().getType());
    os << fmt::format("const int64_t {}_outputs_shape{}[] = {};\n", prefix, i,
                      list(type.getShape()));
    rows +=
        fmt::format("  {{\"{}\", {}, {}, {}_outputs_shape{}, {}}},\n",
                    output.getName().str(), dtypeCode(type.getElementType()),
                    type.getRank(), prefix, i, offsets[i]);
  }
  os << fmt::format("const ClipTensorDesc {}_outputs[] = {{\n{}  {{}}}};\n",
                    prefix, rows);

  std::string kernelRows;
  for (kernel::LaunchOp launch : func.getOps<kernel::LaunchOp>())
    kernelRows +=
        fmt::format("  {{\"{}\", \"{}\"}},\n", launch.getSymName().str(),
                    launch.getKind().str());
  os << fmt::format("const ClipKernelDesc {}_kernels[] = {{\n{}  {{}}}};\n",
                    prefix, kernelRows);
  if (cuda)
    emitCudaTables(*cuda);
}

void FunctionEmitter::emitCudaTables(const CudaFunction &cuda) {
  // The source in raw-string chunks (one literal per chunk keeps every
  // compiler's literal-length limit happy).
  os << fmt::format("const char {}_cuda[] =\n", prefix);
  constexpr size_t chunk = 12000;
  for (size_t at = 0; at < cuda.source.size(); at += chunk)
    os << "R\"clipcuda(" << cuda.source.substr(at, chunk) << ")clipcuda\"\n";
  os << ";\n";
  auto ref = [](const BufferRef &r) {
    return fmt::format("{{{}, {}, {}}}", static_cast<int>(r.space), r.index,
                       r.byteOffset);
  };
  std::string rows, writes;
  for (auto [i, step] : llvm::enumerate(cuda.steps)) {
    const CudaGemm &g = step.gemm;
    std::string check = "nullptr", writeTable = "nullptr";
    if (!step.check.empty())
      check = cStringLiteral(step.check);
    if (!step.writes.empty()) {
      writeTable = fmt::format("{}_cuda_writes_{}", prefix, i);
      std::string entries;
      for (const CudaWrite &w : step.writes)
        entries += fmt::format("{{{}, {}, {}}}, ", ref(w.buffer), w.elements,
                               w.dtype);
      writes += fmt::format("const ClipCudaWrite {}[] = {{{}}};\n",
                            writeTable, entries);
    }
    rows += fmt::format(
        "  {{{}, \"{}\", \"{}\", {}, {}, {}, {}, {{{}, {}, {}, {}, {}, {}, {}, "
        "{}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}, {}, {}, {}, {}}},\n",
        static_cast<int>(step.kind), step.launch, step.kernel, step.grid,
        step.block, step.errorSlot, step.errorBound, g.shape.batch, g.shape.m,
        g.shape.n, g.shape.k, g.transposeA, g.transposeB, ref(g.a), ref(g.b),
        ref(g.c), ref(g.bias), ref(g.residual), g.shape.strideA,
        g.shape.strideB, g.shape.strideC, g.typeA, g.typeB, g.typeC,
        step.sharedBytes, check, step.writes.size(), writeTable);
  }
  os << writes;
  os << fmt::format("const ClipCudaStep {}_cuda_steps[] = {{\n{}  {{}}}};\n",
                    prefix, rows);
  if (!cuda.cubin.empty()) {
    // Octal escapes (always three digits, so no digit after one is taken
    // into it), in lines of 64 bytes: compilers read a long string literal
    // far faster than an initializer list.
    os << fmt::format("const unsigned char {}_cubin[] =\n", prefix);
    std::string line;
    for (size_t i = 0; i < cuda.cubin.size(); ++i) {
      line +=
          fmt::format("\\{:03o}", static_cast<unsigned char>(cuda.cubin[i]));
      if (i % 64 == 63 || i + 1 == cuda.cubin.size()) {
        os << "\"" << line << "\"\n";
        line.clear();
      }
    }
    os << ";\n";
  }
}

/// The descriptor row of one function in the library's table.
std::string functionRow(func::FuncOp func, size_t params, size_t inputs,
                        size_t outputs, size_t kernels, bool cpu,
                        const CudaFunction *cuda) {
  auto attr = [&](StringRef name) {
    auto value = func->getAttrOfType<IntegerAttr>(name);
    return value ? value.getInt() : int64_t{0};
  };
  const std::string p = func.getSymName().str();
  const bool cubin = cuda && !cuda->cubin.empty();
  return fmt::format(
      "  {{\"{0}\", {1}, {2}, {3}, {4}, {5}, {6}, {7}, {0}_params, "
      "{0}_inputs, {0}_outputs, {0}_kernels, {8}, {9}, {10}, {11}, {12}, "
      "{13}, {14}, {15}, {16}}},\n",
      p, attr("kernel.arena_bytes"), attr("kernel.buffer_bytes"),
      attr("kernel.peak_live_bytes"), params, inputs, outputs, kernels,
      cpu ? "run_" + p : "nullptr", cuda ? p + "_cuda" : "nullptr",
      cuda ? cuda->steps.size() : 0, cuda ? cuda->errorSlots : 0,
      cuda ? p + "_cuda_steps" : "nullptr",
      cubin ? fmt::format("\"{}\"", cuda->arch) : "nullptr",
      cubin ? p + "_cubin" : "nullptr", cubin ? cuda->cubin.size() : 0,
      cuda ? cuda->arenaBytes : 0);
}

} // namespace

namespace mlir::clip::codegen {

LogicalResult emitLibrarySource(ModuleOp module, const LibraryInfo &info,
                                llvm::raw_ostream &os) {
  os << "// Generated by clipc from " << info.model << ". Do not edit.\n"
     << "#include \"runtime/abi/ClipLibrary.h\"\n"
     << "#include \"runtime/cpu/CpuKernels.h\"\n"
     << "#include \"runtime/kernels/ScalarMath.h\"\n"
     << "#include <cmath>\n#include <cstdint>\n#include <cstdio>\n\n"
     << "namespace {\n\n";
  std::string rows;
  size_t count = 0;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    FailureOr<BufferNames> names = BufferNames::build(func);
    if (failed(names))
      return failure();
    std::optional<CudaFunction> cuda;
    if (info.cuda) {
      FailureOr<CudaFunction> unit = emitCudaFunction(func, *names);
      if (failed(unit) ||
          (info.checkCuda && failed(info.checkCuda(func, *unit))))
        return failure();
      cuda = std::move(*unit);
    }
    if (info.cpu && failed(emitCpuFunction(func, *names, os)))
      return failure();
    FunctionEmitter(func, *names, os).emitTables(cuda ? &*cuda : nullptr);
    auto countOf = [&](auto range) {
      return static_cast<size_t>(std::distance(range.begin(), range.end()));
    };
    llvm::StringSet<> paramNames, inputNames;
    for (auto p : func.getOps<kernel::ParamOp>())
      paramNames.insert(p.getName());
    for (auto p : func.getOps<kernel::InputOp>())
      inputNames.insert(p.getName());
    rows += functionRow(func, paramNames.size(), inputNames.size(),
                        countOf(func.getOps<kernel::OutputOp>()),
                        countOf(func.getOps<kernel::LaunchOp>()), info.cpu,
                        cuda ? &*cuda : nullptr);
    ++count;
  }
  os << fmt::format("\nconst ClipFunctionDesc functions[] = {{\n{}  {{}}}};\n",
                    rows);
  // Set by clip-split-train-step: the loss the runtime takes between the
  // split functions.
  auto epsilon = module->getAttrOfType<FloatAttr>("clip.loss_epsilon");
  os << fmt::format(
      "const ClipLibraryDesc library = {{CLIP_LIBRARY_MAGIC, "
      "CLIP_LIBRARY_ABI_VERSION, \"{}\", \"{}\", {}, {}, functions, "
      "CLIP_CPU_ISA, clip::cpu::selfCheck, \"{}\", {:.17g}}};\n\n",
      info.model, info.remat, info.batchSize, count, info.precision,
      epsilon ? epsilon.getValueAsDouble() : 0.0);
  os << "} // namespace\n\n"
     << "extern \"C\" __attribute__((visibility(\"default\"))) const "
        "ClipLibraryDesc *clip_library(void) {\n  return &library;\n}\n";
  return success();
}

} // namespace mlir::clip::codegen
