//===- clip-ref.cpp - Run a clip model with the reference evaluator -------===//
//
//   clip-ref models/clip/vit_tiny.mlir --batch 4 --params weights.safetensors
//            --inputs batch.safetensors -o outputs.safetensors
//
// Prepares the model (names checked, batch specialized, blocks inlined) and
// evaluates one public function op by op in plain C++ (f32 as declared, or
// f64 with --f64). Results are written as F64 tensors named result0, ...
// (or --outputs a,b,...); a training function's gradients as grad/<param>
// and its updated BatchNorm statistics as update/<param>. The oracle of the
// test suite, usable by hand.
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipDialect.h"
#include "clip/IR/ClipOps.h"
#include "compiler/Pipeline/Pipeline.h"
#include "compiler/Reference/Evaluator.h"
#include "compiler/Transforms/Passes.h"
#include "runtime/io/Safetensors.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

namespace cl = llvm::cl;
namespace io = ::clip::io;
using namespace mlir;
using namespace mlir::clip;

namespace {

/// The tensors of `file` that `needed` names, checked against their declared
/// shapes. Keys outside `known` are unexpected (a typo or another model's
/// checkpoint); every problem is reported at once.
FailureOr<llvm::StringMap<reference::Tensor>>
bindAll(const io::SafetensorsFile &file,
        const std::vector<io::ExpectedTensor> &needed,
        const llvm::StringSet<> *known) {
  std::function<bool(const std::string &)> isKnown;
  if (known)
    isKnown = [known](const std::string &name) {
      return known->contains(name);
    };
  const std::string problems = io::checkBinding(file, needed, isKnown);
  if (!problems.empty()) {
    llvm::errs() << "clip-ref: " << problems << "\n";
    return failure();
  }
  llvm::StringMap<reference::Tensor> out;
  for (const auto &e : needed)
    out[e.name] = reference::Tensor(e.shape, file.find(e.name)->toDoubles());
  return out;
}

std::vector<int64_t> shapeOf(Type type) {
  auto shape = cast<RankedTensorType>(type).getShape();
  return {shape.begin(), shape.end()};
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                 cl::desc("<model .mlir>"));
  cl::opt<std::string> functionName("function", cl::desc("function to run"),
                                    cl::init("forward"));
  cl::opt<int64_t> batch("batch", cl::desc("batch size that replaces `?`"),
                         cl::Required);
  cl::opt<std::string> paramsPath(
      "params", cl::desc("parameters (safetensors)"), cl::Required);
  cl::opt<std::string> inputsPath(
      "inputs", cl::desc("inputs and arguments (safetensors)"), cl::init(""));
  cl::list<std::string> argNames(
      "arg", cl::desc("key in --inputs of each function argument, in order"));
  cl::opt<std::string> outputPath("o", cl::desc("results (safetensors)"),
                                  cl::Required);
  cl::list<std::string> outputNames(
      "outputs", cl::CommaSeparated,
      cl::desc("names of the results (default result0, result1, ...)"));
  cl::opt<bool> f64("f64", cl::desc("evaluate in f64 instead of as declared"));
  cl::opt<bool> trainBatchNorm(
      "train-batch-norm",
      cl::desc("BatchNorm in training mode (batch statistics)"));
  cl::opt<std::string> statsPath(
      "stats-out",
      cl::desc("with --train-batch-norm: write updated running statistics"),
      cl::init(""));
  cl::ParseCommandLineOptions(argc, argv,
                              "clip-ref: evaluate a clip model with the "
                              "reference evaluator\n");
  if (batch < 1) {
    llvm::errs() << "clip-ref: --batch must be at least 1\n";
    return 1;
  }

  DialectRegistry registry;
  registry.insert<ClipDialect, func::FuncDialect>();
  func::registerInlinerExtension(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(modelPath, sourceMgr, &context);
  if (!module)
    return 1;

  PassManager pm(&context);
  if (trainBatchNorm)
    pm.addPass(createTrainBatchNorm());
  PrepareOptions prepare;
  prepare.batchSize = batch.getValue();
  buildPreparePipeline(pm, prepare);
  if (failed(pm.run(*module)))
    return 1;

  auto func = module->lookupSymbol<func::FuncOp>(functionName);
  if (!func || func.isPrivate()) {
    llvm::errs() << "clip-ref: " << modelPath << " has no public function @"
                 << functionName << "\n";
    return 1;
  }
  if (argNames.size() != func.getNumArguments()) {
    llvm::errs() << "clip-ref: @" << functionName << " takes "
                 << func.getNumArguments() << " argument(s); give one --arg "
                 << "per argument (" << argNames.size() << " given)\n";
    return 1;
  }

  std::vector<io::ExpectedTensor> params, inputs;
  llvm::StringSet<> seen, moduleParams;
  module->walk([&](ParamOp p) { moduleParams.insert(p.getName()); });
  func.walk([&](Operation *op) {
    if (auto p = dyn_cast<ParamOp>(op); p && seen.insert(p.getName()).second)
      params.push_back({p.getName().str(), shapeOf(p.getType())});
    if (auto in = dyn_cast<InputOp>(op); in && seen.insert(in.getName()).second)
      inputs.push_back({in.getName().str(), shapeOf(in.getType())});
  });
  for (auto [i, name] : llvm::enumerate(argNames))
    inputs.push_back({name, shapeOf(func.getArgument(i).getType())});

  try {
    const auto start = std::chrono::steady_clock::now();
    reference::Bindings bindings;
    io::SafetensorsFile paramFile = io::SafetensorsFile::read(paramsPath);
    FailureOr<llvm::StringMap<reference::Tensor>> boundParams =
        bindAll(paramFile, params, &moduleParams);
    if (failed(boundParams))
      return 1;
    bindings.params = std::move(*boundParams);
    if (!inputs.empty()) {
      if (inputsPath.empty()) {
        llvm::errs() << "clip-ref: @" << functionName
                     << " needs inputs; give --inputs\n";
        return 1;
      }
      io::SafetensorsFile inputFile = io::SafetensorsFile::read(inputsPath);
      FailureOr<llvm::StringMap<reference::Tensor>> boundInputs =
          bindAll(inputFile, inputs, /*known=*/nullptr);
      if (failed(boundInputs))
        return 1;
      bindings.inputs = std::move(*boundInputs);
    }
    std::vector<reference::Tensor> args;
    for (const std::string &name : argNames)
      args.push_back(bindings.inputs[name]);

    reference::EvaluateOptions options;
    options.precision =
        f64 ? reference::Precision::Float64 : reference::Precision::AsDeclared;
    llvm::StringMap<reference::Tensor> updatedStats;
    options.updatedRunningStats = &updatedStats;
    FailureOr<llvm::SmallVector<reference::Tensor>> results =
        reference::evaluate(func, args, bindings, options);
    if (failed(results))
      return 1;

    io::SafetensorsWriter writer;
    for (auto [i, result] : llvm::enumerate(*results)) {
      // Gradients of a training function are named after their parameter.
      const std::string name =
          i < outputNames.size() ? outputNames[i] : resultOutputName(func, i);
      const bool isInt = cast<RankedTensorType>(func.getResultTypes()[i])
                             .getElementType()
                             .isInteger();
      writer.addDoubles(name, isInt ? io::DType::I64 : io::DType::F64,
                        {result.shape.begin(), result.shape.end()},
                        result.data);
    }
    writer.write(outputPath);
    if (!statsPath.empty()) {
      io::SafetensorsWriter stats;
      for (auto &entry : updatedStats)
        stats.addDoubles(
            entry.getKey().str(), io::DType::F64,
            {entry.getValue().shape.begin(), entry.getValue().shape.end()},
            entry.getValue().data);
      stats.write(statsPath);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    llvm::errs() << fmt::format(
        "clip-ref: @{} at batch {} ({}) in {:.1f} s -> {}\n", functionName,
        batch, f64 ? "f64" : "as declared", seconds, outputPath);
  } catch (const io::SafetensorsError &e) {
    llvm::errs() << "clip-ref: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
