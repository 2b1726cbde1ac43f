//===- ShapeRules.h - Shape arithmetic shared by the clip ops ---*- C++ -*-===//
//
// Pure functions on shapes (dims as int64_t, ShapedType::kDynamic for `?`),
// used by type inference and verification, and tested on their own.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_IR_SHAPERULES_H
#define CLIP_IR_SHAPERULES_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace mlir::clip {

/// Where two shapes failed to broadcast: the dim index in each operand (from
/// the left) and the two sizes.
struct BroadcastMismatch {
  int64_t lhsDim, rhsDim;
  int64_t lhsSize, rhsSize;
};

/// NumPy broadcasting of two shapes. A `?` dim broadcasts with 1 to `?` and
/// with a static size to that size (the batch is assumed to match).
/// Returns the mismatch on failure.
std::optional<BroadcastMismatch>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs,
                llvm::SmallVectorImpl<int64_t> &result);

/// Whether `from` broadcasts to exactly `to` (trailing dims aligned, each dim
/// of `from` 1 or equal). On failure, `badDim` is the offending dim of `from`
/// (or -1 when `from` has the larger rank).
bool isBroadcastableTo(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to,
                       int64_t &badDim);

/// Output size of a convolution or pooling window along one dim, as PyTorch
/// computes it; `?` in gives `?` out. A result < 1 means the window does not
/// fit.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padding, int64_t dilation = 1);

/// Product of the dims, or std::nullopt when one is `?`.
std::optional<int64_t> staticElementCount(llvm::ArrayRef<int64_t> shape);

/// "2x?x768": the dims as MLIR prints them inside a tensor type.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::clip

#endif // CLIP_IR_SHAPERULES_H
