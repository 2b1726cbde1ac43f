//===- ShapeRules.cpp - Shape arithmetic shared by the clip ops -----------===//
#include "clip/IR/ShapeRules.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"

using namespace mlir;

namespace mlir::clip {

std::optional<BroadcastMismatch>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs,
                llvm::SmallVectorImpl<int64_t> &result) {
  const int64_t rank = std::max(lhs.size(), rhs.size());
  result.assign(rank, 1);
  for (int64_t i = 0; i < rank; ++i) {
    // Walk from the right: NumPy aligns trailing dims.
    const int64_t li = static_cast<int64_t>(lhs.size()) - 1 - i;
    const int64_t ri = static_cast<int64_t>(rhs.size()) - 1 - i;
    const int64_t l = li >= 0 ? lhs[li] : 1;
    const int64_t r = ri >= 0 ? rhs[ri] : 1;
    int64_t &out = result[rank - 1 - i];
    if (l == r || r == 1)
      out = l;
    else if (l == 1)
      out = r;
    else if (ShapedType::isDynamic(l))
      out = r;
    else if (ShapedType::isDynamic(r))
      out = l;
    else
      return BroadcastMismatch{li, ri, l, r};
  }
  return std::nullopt;
}

bool isBroadcastableTo(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to,
                       int64_t &badDim) {
  if (from.size() > to.size()) {
    badDim = -1;
    return false;
  }
  const size_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[offset + i]) {
      badDim = static_cast<int64_t>(i);
      return false;
    }
  }
  return true;
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padding, int64_t dilation) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  const int64_t span = dilation * (kernel - 1) + 1;
  const int64_t room = in + 2 * padding - span;
  if (room < 0)
    return 0;
  return room / stride + 1;
}

std::optional<int64_t> staticElementCount(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d))
      return std::nullopt;
    count *= d;
  }
  return count;
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      out += 'x';
    out += ShapedType::isDynamic(shape[i]) ? std::string("?")
                                           : std::to_string(shape[i]);
  }
  return out;
}

} // namespace mlir::clip
