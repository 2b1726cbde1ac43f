//===- clip-translate.cpp - Kernel modules to target code -----------------===//
//
// mlir-translate with clipc's code generators: `--kernel-to-cpp` and
// `--kernel-to-cuda` (compiler/Target/Translations.h). Used by the lit tests
// of test/Target.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/Translations.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::clip::registerKernelToCppTranslation();
  mlir::clip::registerKernelToCudaTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "clipc's code generators"));
}
