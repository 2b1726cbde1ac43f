//===- Evaluator.h - Reference evaluator of clip graphs ---------*- C++ -*-===//
//
// Runs a function of the clip dialect op by op on the CPU with the naive
// kernels of Kernels.h. It is the oracle that passes and code generators are
// tested against, so it favours being obviously right over being fast.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_REFERENCE_EVALUATOR_H
#define CLIP_COMPILER_REFERENCE_EVALUATOR_H

#include "compiler/Reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::clip::reference {

enum class Precision {
  /// Every op's results are rounded to their declared element type (f32,
  /// bf16, f16), as a device computing in that type would see them.
  AsDeclared,
  /// No rounding: the whole graph in double precision.
  Float64,
};

/// Values for `clip.param` and `clip.input` ops, by name.
struct Bindings {
  llvm::StringMap<Tensor> params;
  llvm::StringMap<Tensor> inputs;
};

struct EvaluateOptions {
  Precision precision = Precision::AsDeclared;
  /// Where set, called with each `clip.batch_norm_train` op's updated
  /// running statistics under the names of the parameters they came from,
  /// so that training mode can write them back.
  llvm::StringMap<Tensor> *updatedRunningStats = nullptr;
};

/// Evaluates `func` on `args` (one per function argument) and returns its
/// results. Shapes must be static (specialize the batch first). Errors (an
/// unbound name, a bound tensor of the wrong shape, an index out of range,
/// an op the evaluator does not know) are emitted as diagnostics at the op.
FailureOr<llvm::SmallVector<Tensor>>
evaluate(func::FuncOp func, llvm::ArrayRef<Tensor> args,
         const Bindings &bindings, const EvaluateOptions &options = {});

/// Rounds `value` to the nearest value of the float type `type` (identity for
/// f64 and integer types).
double roundToType(double value, Type type);

/// A tensor from a dense elements attribute, and back.
Tensor tensorFromAttr(ElementsAttr attr);
DenseElementsAttr tensorToAttr(const Tensor &tensor, RankedTensorType type);

} // namespace mlir::clip::reference

#endif // CLIP_COMPILER_REFERENCE_EVALUATOR_H
