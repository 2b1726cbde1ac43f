//===- ElementwiseEmitter.h - Scalar C++ for elementwise kernels ----------===//
//
// One elementwise kernel (a `clip.elementwise` region or a single
// elementwise op) as the body of a loop over its output's elements, in C++
// that compiles as host code and as CUDA: each input read at its broadcast
// offset, each op one scalar expression, each result stored at the loop
// index. The CPU and CUDA generators wrap it in their own loops.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_CODEGEN_ELEMENTWISEEMITTER_H
#define CLIP_COMPILER_CODEGEN_ELEMENTWISEEMITTER_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

#include <string>
#include <vector>

namespace mlir::clip::codegen {

/// The C++ scalar type of an element type the clip.so ABI carries (float,
/// int64_t, bool); an error at `at` for any other.
FailureOr<std::string> scalarType(Operation *at, Type elementType);

/// A C++ float literal of `value` (9 significant digits; inf and NaN too).
std::string floatLiteral(double value);

struct ElementwiseLoop {
  int64_t count = 0;             ///< elements of the (every) output
  std::vector<std::string> body; ///< statements, using `i` (int64_t)
};

/// The loop body of `kernelOp` (an elementwise op, or clip.elementwise):
/// `inputs[k]` is the C++ pointer expression of the kernel op's operand k,
/// `outputs[r]` of its result r. Fails, with an error at the op, on an op
/// or a result shape the loop cannot compute.
FailureOr<ElementwiseLoop>
emitElementwiseLoop(Operation *kernelOp, const std::vector<std::string> &inputs,
                    const std::vector<std::string> &outputs);

} // namespace mlir::clip::codegen

#endif // CLIP_COMPILER_CODEGEN_ELEMENTWISEEMITTER_H
