//===- clipc.cpp - Compile a CLIP model to clip.so ------------------------===//
//
// clipc MODEL.mlir -o clip.so: parse and verify the model, build its
// training function (clip-train), lower every function to a planned kernel
// schedule (clip-kernels), generate the C++ of the CPU target and the
// library's descriptor tables, and compile them with the host C++ compiler
// into a shared library that links the CPU kernel library statically. With
// the CUDA target, every function's CUDA unit is compiled once with NVRTC
// (no GPU needed) and any error or warning stops the build; the unit itself
// is embedded, for NVRTC to compile at run time for the GPU at hand.
// --emit stops at any stage and prints it instead.
//
//===----------------------------------------------------------------------===//

#include "ClipModel.h"
#include "clip/IR/ClipDialect.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipeline/Pipeline.h"
#include "compiler/Target/Library/LibraryEmitter.h"
#include "kernel/IR/KernelOps.h"
#include "kernel/Transforms/Passes.h"
#include "runtime/abi/ClipLibrary.h"
#include "runtime/gpu/Nvrtc.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include "fmt/format.h"

#include <chrono>
#include <cstdlib>
#include <memory>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

int fail(const std::string &message) {
  llvm::errs() << "clipc: " << message << "\n";
  return 1;
}

/// Compiles `source` into the shared library `output` (written to a
/// temporary name first, then renamed, so a failed build leaves nothing).
int compileLibrary(const std::string &source, const std::string &output,
                   bool keepSource) {
  llvm::SmallString<128> cppPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("clipc", "cpp", cppPath))
    return fail("cannot create a temporary file: " + ec.message());
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(cppPath, ec);
    if (ec)
      return fail(fmt::format("cannot write {}: {}", cppPath.str().str(),
                              ec.message()));
    os << source;
  }
  const char *fromEnv = std::getenv("CLIPC_CXX");
  const std::string compilerName = fromEnv ? fromEnv : "c++";
  llvm::ErrorOr<std::string> compiler =
      llvm::sys::findProgramByName(compilerName);
  if (!compiler)
    return fail(fmt::format("no C++ compiler `{}` on PATH (set CLIPC_CXX)",
                            compilerName));
  const std::string partial = output + ".partial";
  std::vector<std::string> args = {*compiler,
                                   "-std=c++17",
                                   "-O3",
                                   "-march=" CLIP_CPU_ISA,
                                   "-fno-trapping-math",
                                   "-fopenmp",
                                   "-shared",
                                   "-fPIC",
                                   "-fvisibility=hidden",
                                   "-w",
                                   "-I" CLIPC_SOURCE_DIR,
                                   "-o",
                                   partial,
                                   cppPath.str().str(),
                                   CLIPC_CPU_KERNELS_LIBRARY,
                                   CLIPC_OPENBLAS_LIBRARY};
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::string error;
  const int rc = llvm::sys::ExecuteAndWait(*compiler, argRefs, std::nullopt, {},
                                           0, 0, &error);
  if (!keepSource)
    llvm::sys::fs::remove(cppPath);
  if (rc != 0) {
    llvm::sys::fs::remove(partial);
    return fail(fmt::format("the C++ compiler failed ({}){}; generated source: "
                            "{}",
                            rc, error.empty() ? "" : ": " + error,
                            keepSource ? cppPath.str().str()
                                       : "rerun with --keep-source"));
  }
  if (std::error_code ec = llvm::sys::fs::rename(partial, output))
    return fail(fmt::format("cannot write {}: {}", output, ec.message()));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                 cl::desc("<model.mlir, or a model config .json (OpenCLIP's or a "
                                          "Hugging Face config.json)>"));
  cl::opt<std::string> outputPath("o", cl::desc("output (default clip.so)"),
                                  cl::init("clip.so"));
  cl::opt<int64_t> batch("batch", cl::desc("batch size (default 16)"),
                         cl::init(16));
  cl::opt<std::string> target("target", cl::desc("cpu (default), cuda, all"),
                              cl::init("cpu"));
  cl::opt<std::string> remat(
      "remat",
      cl::desc("what the backward recomputes: none (default), "
               "attention, block"),
      cl::init("none"));
  cl::opt<std::string> precision(
      "precision",
      cl::desc("storage of activations: fp32 (default) or bf16 (f32 "
               "arithmetic, parameters and optimizer either way)"),
      cl::init("fp32"));
  cl::opt<std::string> emit(
      "emit",
      cl::desc("stop and print: mlir (training graph), kernels (schedule), "
               "plan (with arena offsets), cpp (generated C++), cuda (the "
               "CUDA units); default: write the shared library"),
      cl::init("so"));
  cl::opt<bool> trainBatchNorm(
      "train-batch-norm",
      cl::desc("BatchNorm with batch statistics (training RN50)"));
  cl::opt<std::string> loss(
      "loss",
      cl::desc("training loss: clip (OpenCLIP's ClipLoss, as model files "
               "write it) or siglip (SigLIP's sigmoid loss with a learned "
               "logit_bias, initialized as OpenCLIP's: scale ln 10, bias "
               "-10)"),
      cl::init("clip"));
  cl::opt<double> dropout(
      "dropout",
      cl::desc("dropout rate in both towers' blocks (attention output, MLP "
               "hidden and output), training only"),
      cl::init(0.0));
  cl::opt<double> imageDropout(
      "image-dropout", cl::desc("the image tower's dropout rate (default "
                                "--dropout)"),
      cl::init(-1.0));
  cl::opt<double> textDropout(
      "text-dropout", cl::desc("the text tower's dropout rate (default "
                               "--dropout)"),
      cl::init(-1.0));
  cl::opt<bool> lockImage(
      "lock-image",
      cl::desc("freeze the image tower (LiT; OpenCLIP's --lock-image): no "
               "gradient, no update for its parameters"));
  cl::opt<int64_t> lockImageUnlocked(
      "lock-image-unlocked-groups",
      cl::desc("of a locked image tower, leave the last N of OpenCLIP's "
               "groups trainable"),
      cl::init(0));
  cl::opt<bool> lockText("lock-text", cl::desc("freeze the text tower"));
  cl::opt<int64_t> lockTextUnlocked(
      "lock-text-unlocked-groups",
      cl::desc("of a locked text tower, leave the last N groups trainable"),
      cl::init(0));
  cl::opt<double> patchDropout(
      "patch-dropout",
      cl::desc("with a config (.json): drop this fraction of the image "
               "patches in training (OpenCLIP's patch_dropout, FLIP); the "
               "trainer draws the kept ones"),
      cl::init(-1));
  cl::opt<bool> distributed(
      "distributed",
      cl::desc("also emit train_embed and train_backward, the training "
               "function split at its loss, for data-parallel training "
               "(mpirun ... clip-run train; docs/distributed.md); --batch is "
               "then each process's share of the global batch"));
  cl::opt<std::string> cudaArch(
      "cuda-arch",
      cl::desc("GPU architecture NVRTC checks the CUDA kernels for (default "
               "sm_90)"),
      cl::init("sm_90"));
  cl::opt<bool> keepSource("keep-source",
                           cl::desc("keep the generated C++ file"));
  cl::ParseCommandLineOptions(argc, argv,
                              "clipc: compile a CLIP model to clip.so\n");

  if (batch < 1)
    return fail(
        fmt::format("--batch must be at least 1 (got {})", batch.getValue()));
  if (remat != "none" && remat != "attention" && remat != "block")
    return fail(fmt::format("--remat must be none, attention or block (got "
                            "`{}`)",
                            remat.getValue()));
  if (loss != "clip" && loss != "siglip")
    return fail(fmt::format("--loss must be clip or siglip (got `{}`)",
                            loss.getValue()));
  if (precision != "fp32" && precision != "bf16")
    return fail(fmt::format("--precision must be fp32 or bf16 (got `{}`)",
                            precision.getValue()));
  if (emit != "so" && emit != "mlir" && emit != "kernels" && emit != "plan" &&
      emit != "cpp" && emit != "cuda")
    return fail(fmt::format("--emit must be mlir, kernels, plan, cpp or cuda "
                            "(got `{}`)",
                            emit.getValue()));
  if (target != "cpu" && target != "cuda" && target != "all")
    return fail(fmt::format("--target must be cpu, cuda or all (got `{}`)",
                            target.getValue()));
  if (emit == "cuda" && target == "cpu")
    target = "cuda";
  if (!llvm::StringRef(cudaArch).starts_with("sm_"))
    return fail(fmt::format("--cuda-arch must name a real architecture such "
                            "as sm_90 (got `{}`)",
                            cudaArch.getValue()));
  if (!llvm::sys::fs::exists(modelPath))
    return fail(fmt::format("{}: no such file", modelPath.getValue()));

  DialectRegistry registry;
  registry.insert<mlir::clip::ClipDialect, kernel::KernelDialect,
                  func::FuncDialect>();
  func::registerInlinerExtension(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module;
  if (llvm::StringRef(modelPath).ends_with(".json")) {
    // A config (OpenCLIP's, or a Hugging Face config.json): the model file
    // clip-modelgen would write, generated in memory.
    std::string text;
    try {
      text = ::clip::modelgen::generateClipModelFile(modelPath, 0,
                                                     patchDropout);
    } catch (const std::exception &e) {
      return fail(e.what());
    }
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, modelPath), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  } else {
    if (patchDropout >= 0)
      return fail("--patch-dropout changes the model: give its config (.json), "
                  "or regenerate the model file with clip-modelgen "
                  "--patch-dropout");
    module = parseSourceFile<ModuleOp>(modelPath, sourceMgr, &context);
  }
  if (!module)
    return 1;

  PassManager pm(&context);
  mlir::clip::TrainOptions train;
  train.batchSize = batch.getValue();
  train.remat = remat.getValue();
  train.trainBatchNorm = trainBatchNorm.getValue();
  train.distributed = distributed.getValue();
  train.loss = loss.getValue();
  train.imageDropout =
      imageDropout >= 0 ? imageDropout.getValue() : dropout.getValue();
  train.textDropout =
      textDropout >= 0 ? textDropout.getValue() : dropout.getValue();
  train.lockImage = lockImage.getValue();
  train.lockImageUnlockedGroups = lockImageUnlocked.getValue();
  train.lockText = lockText.getValue();
  train.lockTextUnlockedGroups = lockTextUnlocked.getValue();
  mlir::clip::buildTrainPipeline(pm, train);
  if (failed(pm.run(*module)))
    return 1;
  auto print = [&](Operation *op) {
    op->print(llvm::outs());
    llvm::outs() << "\n";
    return 0;
  };
  if (emit == "mlir")
    return print(*module);

  PassManager lower(&context);
  mlir::clip::KernelOptions kernels;
  kernels.precision = precision.getValue();
  if (emit == "kernels") {
    lower.nest<func::FuncOp>().addPass(mlir::clip::createConvertClipToKernel());
    if (failed(lower.run(*module)))
      return 1;
    return print(*module);
  }
  mlir::clip::buildKernelPipeline(lower, kernels);
  if (failed(lower.run(*module)))
    return 1;
  if (emit == "plan")
    return print(*module);

  mlir::clip::codegen::LibraryInfo info;
  info.model = llvm::sys::path::filename(modelPath).str();
  info.remat = remat.getValue();
  info.precision = precision.getValue();
  info.batchSize = batch.getValue();
  info.cpu = target != "cuda";
  info.cuda = target != "cpu";
  std::string cudaUnits;
  std::unique_ptr<::clip::gpu::Nvrtc> nvrtc;
  if (info.cuda && emit == "cuda") {
    info.checkCuda = [&](func::FuncOp func,
                         mlir::clip::codegen::CudaFunction &unit) {
      cudaUnits += unit.source;
      return success();
    };
  } else if (info.cuda) {
    try {
      nvrtc = std::make_unique<::clip::gpu::Nvrtc>();
    } catch (const std::exception &e) {
      return fail(fmt::format("--target {} needs NVRTC to check the CUDA "
                              "kernels: {}",
                              target.getValue(), e.what()));
    }
    info.checkCuda = [&](func::FuncOp func,
                         mlir::clip::codegen::CudaFunction &unit) {
      const auto start = std::chrono::steady_clock::now();
      const std::string name = func.getSymName().str() + ".cu";
      ::clip::gpu::Nvrtc::Output out =
          nvrtc->compile(unit.source, name, cudaArch);
      const double seconds = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
      if (!out.ok || !out.log.empty()) {
        // Warnings fail too: the kernels must compile clean.
        llvm::errs() << fmt::format("clipc: NVRTC {} ({}) {} {}:\n{}\n",
                                    nvrtc->version(), cudaArch.getValue(),
                                    out.ok ? "warned on" : "failed on", name,
                                    out.log);
        return failure();
      }
      size_t kernels = 0;
      for (const auto &step : unit.steps)
        kernels += step.kind == mlir::clip::codegen::CudaStep::Kernel;
      llvm::outs() << fmt::format(
          "clipc: NVRTC {} {}: {}: {} kernels + {} cuBLASLt GEMMs, clean, "
          "{:.1f} s, cubin {} KiB\n",
          nvrtc->version(), cudaArch.getValue(), func.getSymName().str(),
          kernels, unit.steps.size() - kernels, seconds,
          out.cubin.size() / 1024);
      // Stored in the clip.so: a device of this architecture loads it and
      // compiles nothing.
      unit.arch = cudaArch.getValue();
      unit.cubin = std::move(out.cubin);
      return success();
    };
  }
  std::string source;
  llvm::raw_string_ostream os(source);
  if (failed(mlir::clip::codegen::emitLibrarySource(*module, info, os)))
    return 1;
  if (emit == "cpp") {
    llvm::outs() << source;
    return 0;
  }
  if (emit == "cuda") {
    llvm::outs() << cudaUnits;
    return 0;
  }
  return compileLibrary(source, outputPath, keepSource);
}
