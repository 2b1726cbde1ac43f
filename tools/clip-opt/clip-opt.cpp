//===- clip-opt.cpp - Run clip passes on MLIR files -----------------------===//
//
// mlir-opt with the clip dialect and passes, plus the upstream passes a model
// pipeline uses (canonicalize, cse, inline, symbol-dce, ...). For lit tests
// and for looking at what a pass does to a model.
//
//===----------------------------------------------------------------------===//

#include "clip/IR/ClipDialect.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Pipeline/Pipeline.h"
#include "compiler/Transforms/Passes.h"
#include "kernel/Transforms/Passes.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::clip::registerClipPasses();
  mlir::clip::registerConversionPasses();
  mlir::kernel::registerKernelPasses();
  mlir::clip::registerClipPipelines();

  mlir::DialectRegistry registry;
  registry.insert<mlir::clip::ClipDialect, mlir::kernel::KernelDialect,
                  mlir::func::FuncDialect>();
  mlir::func::registerInlinerExtension(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "clip optimizer driver: the clip dialect and its passes\n",
      registry));
}
