//===- Translations.h - The code generators as mlir-translate steps -------===//
//
// `--kernel-to-cpp` and `--kernel-to-cuda` (clip-translate): a planned kernel
// module (after clip-kernels) to the C++ of the CPU target or the CUDA units
// and steps of the CUDA target, as clipc's `--emit cpp` / `--emit cuda`
// write them, so lit tests show one launch's generated code (test/Target).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_TARGET_TRANSLATIONS_H
#define CLIP_COMPILER_TARGET_TRANSLATIONS_H

namespace mlir::clip {

void registerKernelToCppTranslation();
void registerKernelToCudaTranslation();

} // namespace mlir::clip

#endif // CLIP_COMPILER_TARGET_TRANSLATIONS_H
