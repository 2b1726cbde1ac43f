//===- Tensor.h - Dense tensors of the reference evaluator ------*- C++ -*-===//
//
// Row-major, elements held as doubles: exact for every element type of the
// dialect (f16, bf16, f32, f64, i1, and i32/i64 up to 2^53, far beyond any
// token id or index a model uses). Plain data, no MLIR types.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_REFERENCE_TENSOR_H
#define CLIP_COMPILER_REFERENCE_TENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace mlir::clip::reference {

struct Tensor {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<double> data;

  Tensor() = default;
  Tensor(llvm::ArrayRef<int64_t> shape, std::vector<double> data);
  /// A tensor of `shape` filled with `value`.
  static Tensor filled(llvm::ArrayRef<int64_t> shape, double value = 0.0);

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numel() const { return static_cast<int64_t>(data.size()); }
  /// Row-major strides, in elements.
  llvm::SmallVector<int64_t, 4> strides() const;
};

/// Product of the dims (1 for a scalar).
int64_t elementCount(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::clip::reference

#endif // CLIP_COMPILER_REFERENCE_TENSOR_H
