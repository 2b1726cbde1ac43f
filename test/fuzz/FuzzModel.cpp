//===- FuzzModel.cpp - libFuzzer: model files through clipc's front -------===//
//
// Any bytes as a model file, as clipc reads one: parsed and verified (the
// clip dialect's ODS verifiers and shape rules), then clip-prepare (names
// checked, batch 2 specialized, blocks inlined, folded) and, if that holds,
// the training pipeline (fusion, autodiff; split at the loss for inputs of
// odd length) and the kernel
// pipeline (lowering, precision, memory plan). A model may be refused with
// diagnostics at any stage; a crash, an assertion, a sanitizer report or a
// module that fails verification after a pass that succeeded is a bug.
//
// Built two ways: under libFuzzer in the fuzzing build with the compiler
// (scripts/fuzz.sh model SECONDS), and in the main build with a plain main()
// that replays the seed corpus (ctest fuzz-model-replay).
//
//===----------------------------------------------------------------------===//
#include "clip/IR/ClipDialect.h"
#include "compiler/Pipeline/Pipeline.h"
#include "kernel/IR/KernelOps.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace mlir;

namespace {

std::unique_ptr<MLIRContext> makeContext() {
  DialectRegistry registry;
  registry.insert<clip::ClipDialect, kernel::KernelDialect,
                  func::FuncDialect>();
  func::registerInlinerExtension(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  context->loadAllAvailableDialects();
  context->disableMultithreading();
  return context;
}

/// Runs `pm`; a pass that reports success must leave a valid module.
bool runPipeline(PassManager &pm, ModuleOp module) {
  if (failed(pm.run(module)))
    return false;
  if (failed(verify(module)))
    __builtin_trap();
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // One context for every input: dialect loading dominates otherwise.
  static std::unique_ptr<MLIRContext> context = makeContext();
  // Diagnostics are the expected way to refuse; keep them quiet.
  // CLIPC_FUZZ_VERBOSE=1 prints them, and how far each input got.
  static const bool verbose = std::getenv("CLIPC_FUZZ_VERBOSE") != nullptr;
  ScopedDiagnosticHandler quiet(context.get(), [](Diagnostic &d) {
    if (verbose)
      llvm::errs() << d << "\n";
    return success();
  });
  auto reached = [&](const char *stage) {
    if (verbose)
      llvm::errs() << "-- " << stage << "\n";
    return 0;
  };
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz"),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, context.get());
  if (!module)
    return reached("refused by the parser or verifier");

  PassManager prepare(context.get());
  clip::PrepareOptions prepareOptions;
  prepareOptions.batchSize = 2;
  clip::buildPreparePipeline(prepare, prepareOptions);
  if (!runPipeline(prepare, *module))
    return reached("refused by clip-prepare");

  // The rest from the parsed text again, as clipc runs it.
  module = parseSourceFile<ModuleOp>(sourceMgr, context.get());
  PassManager train(context.get());
  clip::TrainOptions trainOptions;
  trainOptions.batchSize = 2;
  // Half the inputs (by length) also split the step at its loss.
  trainOptions.distributed = size % 2 == 1;
  clip::buildTrainPipeline(train, trainOptions);
  if (!runPipeline(train, *module))
    return reached("refused by clip-train");
  PassManager lower(context.get());
  clip::buildKernelPipeline(lower, clip::KernelOptions());
  return reached(runPipeline(lower, *module) ? "planned"
                                             : "refused by clip-kernels");
}
