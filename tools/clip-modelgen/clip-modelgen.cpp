//===- clip-modelgen.cpp - Model files from OpenCLIP-style configs --------===//
//
//   clip-modelgen models/clip/configs/ViT-B-16.json -o models/clip/vitb16.mlir
//
// Writes the model as clip-dialect text, after parsing and verifying it.
//
//===----------------------------------------------------------------------===//

#include "ClipModel.h"

#include "clip/IR/ClipDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <exception>

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::opt<std::string> configPath(cl::Positional, cl::Required,
                                  cl::desc("<OpenCLIP model config .json, or a Hugging Face CLIPModel config.json>"));
  cl::opt<std::string> outputPath("o", cl::desc("output file (default stdout)"),
                                  cl::value_desc("file"), cl::init("-"));
  cl::opt<int64_t> imageSize(
      "image-size", cl::desc("override vision_cfg.image_size (small tests)"),
      cl::init(0));
  cl::opt<double> patchDropout(
      "patch-dropout",
      cl::desc("drop this fraction of the patches in training (OpenCLIP's "
               "patch_dropout; FLIP): @forward takes the kept patches' "
               "indices as input `patch_keep`"),
      cl::init(-1));
  cl::ParseCommandLineOptions(argc, argv,
                              "clip-modelgen: CLIP model files in the clip "
                              "dialect from OpenCLIP-style configs\n");

  std::string text;
  try {
    text = clip::modelgen::generateClipModelFile(configPath, imageSize,
                                                 patchDropout);
  } catch (const std::exception &e) {
    llvm::errs() << "clip-modelgen: " << e.what() << "\n";
    return 1;
  }

  // Never write a file that does not parse and verify.
  mlir::MLIRContext context;
  context.loadDialect<mlir::clip::ClipDialect, mlir::func::FuncDialect>();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(text, "generated"), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module || failed(mlir::verify(*module))) {
    llvm::errs() << "clip-modelgen: internal error: the generated model does "
                    "not verify\n";
    return 2;
  }

  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "clip-modelgen: " << error << "\n";
    return 1;
  }
  output->os() << text;
  output->keep();
  return 0;
}
