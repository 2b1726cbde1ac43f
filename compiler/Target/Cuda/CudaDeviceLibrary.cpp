//===- CudaDeviceLibrary.cpp - The device library text, embedded ----------===//
//
// The CUDA target's generated units start with the scalar math and the
// device kernel library, so a clip.so carries everything NVRTC needs.

#include "compiler/Target/Cuda/CudaEmitter.h"

namespace mlir::clip::codegen {

const char *cudaDeviceLibrary() {
  static const char text[] =
#include "CudaDeviceLibrary.inc"
      ;
  return text;
}

} // namespace mlir::clip::codegen
