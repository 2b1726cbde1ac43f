//===- KernelArguments.h - Shared pieces of the CPU and CUDA generators ---===//
//
// What both code generators need of a planned function: shapes and strides
// as C++ lists, GEMM problems and strided copies, and pointer expressions
// into a function's buffers (`A` the arena base as char*, `P`/`I` the tables
// of parameter and input pointers, `k_<fn>_<id>` the constants). KernelCall.h
// builds each launch's calls from these.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_CODEGEN_KERNELARGUMENTS_H
#define CLIP_COMPILER_CODEGEN_KERNELARGUMENTS_H

#include "kernel/IR/KernelOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::clip::codegen {

using Shape = SmallVector<int64_t, 6>;

Shape shapeOf(Value value);
int64_t product(ArrayRef<int64_t> dims);
Shape contiguousStrides(ArrayRef<int64_t> shape);
/// `{1, 2, 3}`; a zero-length list is padded with one unused element.
std::string list(ArrayRef<int64_t> values);

/// A GEMM's problem as the kernel libraries take it: `batch` row-major
/// (m x k) (k x n) products with element strides between batch entries (0
/// broadcasts). A weight shared by every batch entry is folded into M (one
/// large GEMM instead of `batch` small ones).
struct GemmShape {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  int64_t strideA = 0, strideB = 0, strideC = 0;
};
FailureOr<GemmShape> gemmShape(Operation *op, Value a, Value b, bool transposeA,
                               Value result);

/// The data-movement ops (transpose, broadcast, slice, slice_grad, concat)
/// as strided copies: over `shape`, dest[destOffset + idx . destStrides] =
/// source[sourceOffset + idx . sourceStrides] (element offsets and strides,
/// 0 broadcasts), after zeroing the whole result when `zeroFirst`.
struct StridedCopy {
  Value source;
  Shape shape, sourceStrides, destStrides;
  int64_t sourceOffset = 0, destOffset = 0;
};
struct DataMovement {
  Value result;
  bool zeroFirst = false;
  std::vector<StridedCopy> copies;
};
/// The copies of `op`, or nullopt when it is no data-movement op.
std::optional<DataMovement> dataMovement(Operation *op);

/// `pointer` advanced by `offset` elements (as written, when 0).
std::string offsetPointer(const std::string &pointer, int64_t offset);

/// The ABI's dtype code of an element type (runtime/abi/ClipLibrary.h).
int32_t dtypeCode(Type element);

/// Where a buffer lives, as the clip.so ABI's ClipBufferRef describes it.
struct BufferRef {
  enum Space : int32_t { None = -1, Arena = 0, Param = 1, Input = 2 };
  Space space = None;
  int64_t index = 0;
  int64_t byteOffset = 0;
};

/// The bound buffers of one planned kernel function and C++ expressions for
/// pointers into them.
class BufferNames {
public:
  /// Collects parameters and inputs (in order of first declaration) and
  /// numbers the constants; fails on a constant the ABI cannot carry.
  static FailureOr<BufferNames> build(func::FuncOp func);

  /// `reinterpret_cast<float*>(A + 256)`, `static_cast<float*>(P[3])`, ...
  FailureOr<std::string> pointer(Value buffer) const;
  /// The arena, parameter or input slot and byte offset of `buffer`; fails
  /// (with an error at its definition) for constants.
  FailureOr<BufferRef> reference(Value buffer) const;

  const std::vector<kernel::ParamOp> &params() const { return paramOps; }
  const std::vector<kernel::InputOp> &inputs() const { return inputOps; }

  struct Constant {
    std::string name;        ///< k_<fn>_<id>
    std::string elementType; ///< float, int64_t or bool
    std::string data;        ///< comma-separated initializer
  };
  const std::vector<Constant> &constants() const { return constantData; }

private:
  std::string prefix;
  std::vector<kernel::ParamOp> paramOps;
  std::vector<kernel::InputOp> inputOps;
  llvm::StringMap<size_t> paramIndex, inputIndex;
  llvm::DenseMap<Operation *, size_t> constantIds;
  std::vector<Constant> constantData;
};

/// One launch's buffers as its kernel op sees them: each operand (a block
/// argument of the launch body) and each result (a yielded value) with the
/// buffer bound to it and a pointer expression into that buffer.
class LaunchBinding {
public:
  static FailureOr<LaunchBinding> bind(kernel::LaunchOp launch,
                                       const BufferNames &names);
  /// The pointer expression of a kernel-op operand or result.
  std::string pointer(Value value) const { return bound.lookup(value).first; }
  /// The buffer bound to a kernel-op operand or result.
  Value buffer(Value value) const { return bound.lookup(value).second; }
  /// Whether that buffer stores bf16 (the kernel op still sees f32).
  bool isBf16(Value value) const;
  /// Pointers of `op`'s operands and results, in order.
  std::vector<std::string> operandPointers(Operation *op) const;
  std::vector<std::string> resultPointers(Operation *op) const;

  /// A bf16 buffer that a library call (which computes on f32 arrays) reads
  /// or writes through an f32 copy: `clip::cpu::Bf16Staging name(pointer,
  /// count[, true])`.
  struct Staging {
    std::string name;
    std::string pointer; ///< the bf16 buffer
    std::string copy;    ///< the f32 copy the call uses
    int64_t count = 0;
    bool result = false;
  };
  /// Whether a library call must stage this launch's buffers: some buffer
  /// is stored in bf16, and the call is not pure data movement between
  /// buffers of one storage type (which both libraries copy as stored).
  bool needsStaging(Operation *kernelOp) const;
  /// This binding with the k-th bf16 buffer bound to `pointer(k, count)`
  /// (an f32 array) instead, appending the copies that takes to `stagings`
  /// (named `name(k)`).
  LaunchBinding staged(llvm::function_ref<std::string(size_t)> name,
                       llvm::function_ref<std::string(size_t, int64_t)> pointer,
                       std::vector<Staging> &stagings) const;

private:
  llvm::DenseMap<Value, std::pair<std::string, Value>> bound;
  /// The bound values in order: operands, then results.
  SmallVector<Value> order;
  unsigned numOperands = 0;
};

/// Fails, with an error at `op` naming `target`, unless every operand is
/// f32 (gathers and argmax also read i64).
LogicalResult checkF32Operands(Operation *op, StringRef target);

} // namespace mlir::clip::codegen

#endif // CLIP_COMPILER_CODEGEN_KERNELARGUMENTS_H
