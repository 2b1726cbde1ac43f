//===- KernelArguments.cpp - Shared pieces of the CPU and CUDA generators -===//

#include "compiler/Target/Common/KernelArguments.h"
#include "compiler/Target/Common/ElementwiseEmitter.h"

#include "clip/IR/ClipOps.h"
#include "runtime/abi/ClipLibrary.h"

#include "fmt/format.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::codegen;

namespace mlir::clip::codegen {

Shape shapeOf(Value value) {
  auto shape = cast<ShapedType>(value.getType()).getShape();
  return Shape(shape.begin(), shape.end());
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t count = 1;
  for (int64_t d : dims)
    count *= d;
  return count;
}

Shape contiguousStrides(ArrayRef<int64_t> shape) {
  Shape strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

std::string list(ArrayRef<int64_t> values) {
  std::string text = "{";
  for (auto [i, v] : llvm::enumerate(values))
    text += fmt::format("{}{}", i ? ", " : "", v);
  // A zero-length array is not C++: pad with one unused element.
  return text + (values.empty() ? "0}" : "}");
}

FailureOr<GemmShape> gemmShape(Operation *op, Value a, Value b, bool transposeA,
                               Value result) {
  Shape as = shapeOf(a), bs = shapeOf(b), cs = shapeOf(result);
  GemmShape g;
  g.m = cs[cs.size() - 2];
  g.n = cs.back();
  g.k = transposeA ? as[as.size() - 2] : as.back();
  g.batch = product(cs) / (g.m * g.n);
  const int64_t batchA = product(as) / (g.m * g.k);
  const int64_t batchB = product(bs) / (g.k * g.n);
  if ((batchA != 1 && batchA != g.batch) || (batchB != 1 && batchB != g.batch))
    return op->emitError("a GEMM whose operands broadcast only some batch "
                         "dims is not supported");
  g.strideA = batchA == 1 ? 0 : g.m * g.k;
  g.strideB = batchB == 1 ? 0 : g.k * g.n;
  if (g.strideB == 0 && !transposeA && batchA == g.batch) {
    g.m *= g.batch;
    g.batch = 1;
    g.strideA = 0;
  }
  g.strideC = g.m * g.n;
  return g;
}

std::optional<DataMovement> dataMovement(Operation *op) {
  DataMovement move;
  move.result = op->getNumResults() == 1 ? op->getResult(0) : Value();
  auto copy = [&](Value source, Shape shape, Shape from, Shape to,
                  int64_t fromOffset = 0, int64_t toOffset = 0) {
    move.copies.push_back({source, std::move(shape), std::move(from),
                           std::move(to), fromOffset, toOffset});
  };
  if (auto t = dyn_cast<TransposeOp>(op)) {
    Shape from = contiguousStrides(shapeOf(t.getInput())), src;
    for (int64_t p : t.getPermutation())
      src.push_back(from[p]);
    Shape o = shapeOf(t.getResult());
    copy(t.getInput(), o, src, contiguousStrides(o));
    return move;
  }
  if (auto b = dyn_cast<BroadcastOp>(op)) {
    Shape s = shapeOf(b.getInput()), o = shapeOf(b.getResult());
    Shape from = contiguousStrides(s), src(o.size(), 0);
    const size_t lead = o.size() - s.size();
    for (size_t d = 0; d < s.size(); ++d)
      src[lead + d] = s[d] == 1 ? 0 : from[d];
    copy(b.getInput(), o, src, contiguousStrides(o));
    return move;
  }
  if (auto sl = dyn_cast<SliceOp>(op)) {
    Shape o = shapeOf(sl.getResult());
    Shape src = contiguousStrides(shapeOf(sl.getInput()));
    const int64_t base = sl.getStart() * src[sl.getAxis()];
    src[sl.getAxis()] *= sl.getStep();
    copy(sl.getInput(), o, src, contiguousStrides(o), base);
    return move;
  }
  if (auto sl = dyn_cast<SliceGradOp>(op)) {
    Shape g = shapeOf(sl.getGrad());
    Shape dst = contiguousStrides(shapeOf(sl.getResult()));
    const int64_t base = sl.getStart() * dst[sl.getAxis()];
    dst[sl.getAxis()] *= sl.getStep();
    move.zeroFirst = true;
    copy(sl.getGrad(), g, contiguousStrides(g), dst, 0, base);
    return move;
  }
  if (auto c = dyn_cast<ConcatOp>(op)) {
    Shape dst = contiguousStrides(shapeOf(c.getResult()));
    int64_t at = 0;
    for (Value input : c.getInputs()) {
      Shape s = shapeOf(input);
      copy(input, s, contiguousStrides(s), dst, 0, at * dst[c.getAxis()]);
      at += s[c.getAxis()];
    }
    return move;
  }
  return std::nullopt;
}

std::string offsetPointer(const std::string &pointer, int64_t offset) {
  return offset == 0 ? pointer : fmt::format("({} + {})", pointer, offset);
}

int32_t dtypeCode(Type element) {
  if (element.isInteger(64))
    return CLIP_I64;
  if (element.isInteger(1))
    return CLIP_BOOL;
  if (element.isBF16())
    return CLIP_BF16;
  return CLIP_F32;
}

FailureOr<BufferNames> BufferNames::build(func::FuncOp func) {
  BufferNames names;
  names.prefix = func.getSymName().str();
  for (Operation &op : func.front()) {
    if (auto param = dyn_cast<kernel::ParamOp>(op)) {
      if (names.paramIndex.try_emplace(param.getName(), names.paramOps.size())
              .second)
        names.paramOps.push_back(param);
    } else if (auto input = dyn_cast<kernel::InputOp>(op)) {
      if (names.inputIndex.try_emplace(input.getName(), names.inputOps.size())
              .second)
        names.inputOps.push_back(input);
    } else if (auto constant = dyn_cast<kernel::ConstantOp>(op)) {
      auto value = dyn_cast<DenseElementsAttr>(constant.getValue());
      FailureOr<std::string> element =
          scalarType(&op, constant.getType().getElementType());
      if (!value || failed(element))
        return op.emitError("constant data must be dense f32, i64 or i1");
      std::string data;
      const int64_t count = constant.getType().getNumElements();
      for (int64_t i = 0; i < count; ++i) {
        const int64_t at = value.isSplat() ? 0 : i;
        if (isa<FloatType>(value.getElementType()))
          data +=
              floatLiteral(value.getValues<APFloat>()[at].convertToDouble());
        else if (value.getElementType().isInteger(1))
          data += value.getValues<bool>()[at] ? "true" : "false";
        else
          data +=
              fmt::format("{}LL", value.getValues<APInt>()[at].getSExtValue());
        data += ", ";
      }
      const size_t id = names.constantData.size();
      names.constantIds[&op] = id;
      names.constantData.push_back(
          {fmt::format("k_{}_{}", names.prefix, id), *element, data});
    }
  }
  return names;
}

FailureOr<std::string> BufferNames::pointer(Value buffer) const {
  auto type = cast<MemRefType>(buffer.getType());
  FailureOr<std::string> element =
      scalarType(buffer.getDefiningOp(), type.getElementType());
  if (failed(element))
    return failure();
  Operation *def = buffer.getDefiningOp();
  if (auto alloc = dyn_cast<kernel::AllocOp>(def)) {
    if (!alloc.getOffset()) {
      alloc.emitError("buffer has no offset: run kernel-plan-memory first");
      return failure();
    }
    return fmt::format("reinterpret_cast<{}*>(A + {})", *element,
                       *alloc.getOffset());
  }
  if (auto param = dyn_cast<kernel::ParamOp>(def))
    return fmt::format("static_cast<{}*>(P[{}])", *element,
                       paramIndex.lookup(param.getName()));
  if (auto input = dyn_cast<kernel::InputOp>(def))
    return fmt::format("static_cast<{}*>(I[{}])", *element,
                       inputIndex.lookup(input.getName()));
  if (isa<kernel::ConstantOp>(def))
    return fmt::format("const_cast<{}*>({})", *element,
                       constantData[constantIds.lookup(def)].name);
  auto view = cast<kernel::ViewOp>(def);
  FailureOr<std::string> source = pointer(view.getSource());
  if (failed(source))
    return failure();
  return fmt::format("({} + {})", *source, view.getOffset());
}

FailureOr<BufferRef> BufferNames::reference(Value buffer) const {
  int64_t offset = 0;
  const int64_t elementBytes = kernel::byteSize(MemRefType::get(
      {1}, cast<MemRefType>(buffer.getType()).getElementType()));
  while (auto view = buffer.getDefiningOp<kernel::ViewOp>()) {
    offset += view.getOffset() * elementBytes;
    buffer = view.getSource();
  }
  Operation *def = buffer.getDefiningOp();
  if (auto alloc = dyn_cast<kernel::AllocOp>(def)) {
    if (!alloc.getOffset())
      return alloc.emitError("buffer has no offset: run kernel-plan-memory "
                             "first");
    return BufferRef{BufferRef::Arena, 0,
                     static_cast<int64_t>(*alloc.getOffset()) + offset};
  }
  if (auto param = dyn_cast<kernel::ParamOp>(def))
    return BufferRef{BufferRef::Param,
                     static_cast<int64_t>(paramIndex.lookup(param.getName())),
                     offset};
  if (auto input = dyn_cast<kernel::InputOp>(def))
    return BufferRef{BufferRef::Input,
                     static_cast<int64_t>(inputIndex.lookup(input.getName())),
                     offset};
  return def->emitError("a library call (GEMM) cannot read a constant; "
                        "materialize it into the arena first");
}

FailureOr<LaunchBinding> LaunchBinding::bind(kernel::LaunchOp launch,
                                             const BufferNames &names) {
  LaunchBinding binding;
  Block &body = launch.getBody().front();
  auto add = [&](Value value, Value buffer) -> LogicalResult {
    FailureOr<std::string> ptr = names.pointer(buffer);
    if (failed(ptr))
      return failure();
    binding.bound[value] = {*ptr, buffer};
    binding.order.push_back(value);
    return success();
  };
  for (auto [arg, buffer] : llvm::zip(body.getArguments(), launch.getIns()))
    if (failed(add(arg, buffer)))
      return failure();
  binding.numOperands = binding.order.size();
  for (auto [value, buffer] :
       llvm::zip(body.getTerminator()->getOperands(), launch.getOuts()))
    if (failed(add(value, buffer)))
      return failure();
  return binding;
}

static bool isBf16Buffer(Value buffer) {
  return cast<MemRefType>(buffer.getType()).getElementType().isBF16();
}

bool LaunchBinding::isBf16(Value value) const {
  return isBf16Buffer(buffer(value));
}

bool LaunchBinding::needsStaging(Operation *kernelOp) const {
  if (!llvm::any_of(order, [&](Value v) { return isBf16Buffer(buffer(v)); }))
    return false;
  if (!dataMovement(kernelOp))
    return true;
  return !llvm::all_of(order, [&](Value v) { return isBf16Buffer(buffer(v)); });
}

LaunchBinding
LaunchBinding::staged(llvm::function_ref<std::string(size_t)> name,
                      llvm::function_ref<std::string(size_t, int64_t)> pointer,
                      std::vector<Staging> &stagings) const {
  LaunchBinding copy = *this;
  for (auto [k, value] : llvm::enumerate(order)) {
    auto [direct, buffer] = bound.lookup(value);
    if (!isBf16Buffer(buffer))
      continue;
    Staging staging;
    const size_t index = stagings.size();
    staging.name = name(index);
    staging.pointer = direct;
    staging.count = cast<MemRefType>(buffer.getType()).getNumElements();
    staging.result = k >= numOperands;
    staging.copy = pointer(index, staging.count);
    copy.bound[value] = {staging.copy, buffer};
    stagings.push_back(std::move(staging));
  }
  return copy;
}

std::vector<std::string> LaunchBinding::operandPointers(Operation *op) const {
  std::vector<std::string> pointers;
  for (Value operand : op->getOperands())
    pointers.push_back(pointer(operand));
  return pointers;
}

std::vector<std::string> LaunchBinding::resultPointers(Operation *op) const {
  std::vector<std::string> pointers;
  for (Value result : op->getResults())
    pointers.push_back(pointer(result));
  return pointers;
}

LogicalResult checkF32Operands(Operation *op, StringRef target) {
  if (isa<GatherOp, GatherGradOp, ArgmaxOp>(op))
    return success();
  for (Value v : op->getOperands())
    if (!cast<ShapedType>(v.getType()).getElementType().isF32())
      return op->emitError("the " + target +
                           " target runs this kernel on "
                           "f32 only");
  return success();
}

} // namespace mlir::clip::codegen
