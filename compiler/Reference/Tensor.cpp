//===- Tensor.cpp - Dense tensors of the reference evaluator --------------===//
#include "compiler/Reference/Tensor.h"

#include <cassert>

namespace mlir::clip::reference {

int64_t elementCount(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

Tensor::Tensor(llvm::ArrayRef<int64_t> shape, std::vector<double> data)
    : shape(shape.begin(), shape.end()), data(std::move(data)) {
  assert(elementCount(shape) == static_cast<int64_t>(this->data.size()) &&
         "data does not fill the shape");
}

Tensor Tensor::filled(llvm::ArrayRef<int64_t> shape, double value) {
  return Tensor(shape, std::vector<double>(elementCount(shape), value));
}

llvm::SmallVector<int64_t, 4> Tensor::strides() const {
  llvm::SmallVector<int64_t, 4> result(shape.size(), 1);
  for (int64_t d = rank() - 2; d >= 0; --d)
    result[d] = result[d + 1] * shape[d + 1];
  return result;
}

} // namespace mlir::clip::reference
