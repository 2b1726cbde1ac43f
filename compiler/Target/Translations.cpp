//===- Translations.cpp - The code generators as mlir-translate steps -----===//

#include "compiler/Target/Translations.h"
#include "compiler/Target/Cuda/CudaEmitter.h"
#include "compiler/Target/Library/LibraryEmitter.h"

#include "clip/IR/ClipDialect.h"
#include "kernel/IR/KernelOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"

#include "fmt/format.h"

namespace mlir::clip {
namespace {

void registerDialects(DialectRegistry &registry) {
  registry.insert<ClipDialect, kernel::KernelDialect, func::FuncDialect>();
}

/// The CUDA steps of a function as comments, then its unit.
LogicalResult writeCuda(ModuleOp module, raw_ostream &os) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    FailureOr<codegen::BufferNames> names = codegen::BufferNames::build(func);
    if (failed(names))
      return failure();
    FailureOr<codegen::CudaFunction> unit =
        codegen::emitCudaFunction(func, *names);
    if (failed(unit))
      return failure();
    os << fmt::format("// @{}: {} steps, {} error slots\n",
                      func.getSymName().str(), unit->steps.size(),
                      unit->errorSlots);
    for (const codegen::CudaStep &step : unit->steps) {
      if (step.kind == codegen::CudaStep::Gemm) {
        const codegen::GemmShape &g = step.gemm.shape;
        os << fmt::format("// step {}: cuBLASLt GEMM batch {} m {} n {} k {} "
                          "transpose {} {}\n",
                          step.launch, g.batch, g.m, g.n, g.k,
                          step.gemm.transposeA, step.gemm.transposeB);
      } else {
        os << fmt::format("// step {}: kernel {} grid {} block {}{}\n",
                          step.launch, step.kernel, step.grid, step.block,
                          step.errorSlot >= 0
                              ? fmt::format(" error slot {} bound {}",
                                            step.errorSlot, step.errorBound)
                              : std::string());
      }
    }
    os << unit->source << "\n";
  }
  return success();
}

} // namespace

void registerKernelToCppTranslation() {
  TranslateFromMLIRRegistration registration(
      "kernel-to-cpp", "C++ of a planned kernel module (the CPU target)",
      [](Operation *op, raw_ostream &os) -> LogicalResult {
        auto module = dyn_cast<ModuleOp>(op);
        if (!module)
          return op->emitError("kernel-to-cpp translates a module");
        codegen::LibraryInfo info;
        info.model = "<kernel-to-cpp>";
        return codegen::emitLibrarySource(module, info, os);
      },
      registerDialects);
}

void registerKernelToCudaTranslation() {
  TranslateFromMLIRRegistration registration(
      "kernel-to-cuda",
      "CUDA units and steps of a planned kernel module (the CUDA target)",
      [](Operation *op, raw_ostream &os) -> LogicalResult {
        auto module = dyn_cast<ModuleOp>(op);
        if (!module)
          return op->emitError("kernel-to-cuda translates a module");
        return writeCuda(module, os);
      },
      registerDialects);
}

} // namespace mlir::clip
