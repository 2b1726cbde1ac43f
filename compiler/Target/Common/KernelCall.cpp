//===- KernelCall.cpp - One launch, described once for every target -------===//
//
// One case per kernel op: its CPU calls and its CUDA phases side by side.
// The two libraries take the same arguments in the same order wherever
// they can; where the device needs a grid-wide barrier (a reduction over
// rows, then over columns) an op is several phases on the device and one
// call on the CPU.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/Common/KernelCall.h"
#include "runtime/kernels/KernelAbi.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include "fmt/format.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::codegen;

namespace {

/// runtime/cuda/FlashAttention.cuh's tile rows and block size.
constexpr int64_t kFlash = ::clip::kernels::kFlashRows;
constexpr int kFlashBlock = ::clip::kernels::kFlashThreads;
/// runtime/cuda/LayerNormBf16.cuh's block, its rows (a warp each) and the
/// rows of a parameter-gradient chunk.
constexpr int kRowBlock = ::clip::kernels::kRowThreads;
constexpr int64_t kRowWarps = kRowBlock / 32;
constexpr int64_t kParamRows = ::clip::kernels::kParamRows;

/// Builds argument lists: `args.i(3).f(0.5).p(x)`.
class Args {
public:
  explicit Args(const LaunchBinding &binding) : binding(binding) {}

  Args &i(int64_t v) { return expr(fmt::format("{}", v)); }
  Args &f(double v) { return expr(fmt::format("{}f", v)); }
  Args &f(const APFloat &v) { return f(v.convertToDouble()); }
  Args &b(bool v) { return expr(fmt::format("{}", v)); }
  /// The pointer bound to a kernel-op operand or result; nullptr for none.
  Args &p(Value v) { return expr(v ? binding.pointer(v) : "nullptr"); }
  /// Several pointers (or nullptr), in order.
  template <typename... Values> Args &ptrs(Values... values) {
    (p(values), ...);
    return *this;
  }
  /// Several integers, in order.
  template <typename... Ints> Args &ints(Ints... values) {
    (i(values), ...);
    return *this;
  }
  Args &null() { return expr("nullptr"); }
  Args &expr(std::string text) {
    values.push_back({CallArg::Expr, std::move(text)});
    return *this;
  }
  Args &add(CallArg::Kind kind, std::string text) {
    values.push_back({kind, std::move(text)});
    return *this;
  }
  /// A `type *` into the launch's device scratch, at byte `offset`.
  Args &scratch(StringRef type, int64_t offset) {
    values.push_back({CallArg::Scratch, type.str(), offset});
    return *this;
  }
  Args &append(const Args &other) {
    values.insert(values.end(), other.values.begin(), other.values.end());
    return *this;
  }
  /// "batch, lq, lk, d, dv, scale, causal" of attention and its gradient.
  Args &attention(Value query, Value key, Value value, APFloat scale,
                  bool causal) {
    Shape q = shapeOf(query), k = shapeOf(key), v = shapeOf(value);
    const int64_t lq = q[q.size() - 2], d = q.back();
    return i(product(q) / (lq * d))
        .ints(lq, k[k.size() - 2], d, v.back())
        .f(scale)
        .b(causal);
  }
  /// FlashAttention.cuh's leading arguments: batch, lq, lk, scale, causal.
  Args &flash(Value query, Value key, APFloat scale, bool causal) {
    Shape q = shapeOf(query), k = shapeOf(key);
    const int64_t lq = q[q.size() - 2];
    return i(product(q) / (lq * q.back()))
        .ints(lq, k[k.size() - 2])
        .f(scale)
        .b(causal);
  }
  /// The geometry of a convolution (NCHW input x, weight w, output y).
  Args &conv2d(Value x, Value w, Value y, ArrayRef<int64_t> stride,
               ArrayRef<int64_t> padding,
               std::optional<ArrayRef<int64_t>> dilation, int64_t groups) {
    Shape xs = shapeOf(x), ws = shapeOf(w), ys = shapeOf(y);
    SmallVector<int64_t, 2> dil{1, 1};
    if (dilation)
      dil.assign(dilation->begin(), dilation->end());
    return add(CallArg::Conv2D,
               codegen::list({xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3],
                              ys[2], ys[3], stride[0], stride[1], padding[0],
                              padding[1], dil[0], dil[1], groups}));
  }
  /// The geometry of average pooling from x to y.
  Args &pool2d(Value x, Value y, ArrayRef<int64_t> kernel,
               ArrayRef<int64_t> stride, ArrayRef<int64_t> padding) {
    Shape xs = shapeOf(x), ys = shapeOf(y);
    return add(CallArg::Pool2D,
               codegen::list({xs[0] * xs[1], xs[2], xs[3], ys[2], ys[3],
                              kernel[0], kernel[1], stride[0], stride[1],
                              padding[0], padding[1]}));
  }

  LibraryCall call(StringRef function) const {
    LibraryCall c;
    c.function = function.str();
    c.args = values;
    return c;
  }

private:
  const LaunchBinding &binding;
  std::vector<CallArg> values;
};

/// Outer, axis and inner extents of `shape` around `axis`.
struct AxisSplit {
  int64_t outer, extent, inner;
};
AxisSplit splitAt(ArrayRef<int64_t> shape, int64_t axis) {
  return {product(shape.take_front(axis)), shape[axis],
          product(shape.drop_front(axis + 1))};
}

/// Byte offsets of a launch's device scratch arrays, each 256-aligned.
struct ScratchLayout {
  int64_t bytes = 0;
  int64_t add(int64_t size) {
    const int64_t offset = bytes;
    bytes += (size + 255) / 256 * 256;
    return offset;
  }
};

class Describer {
public:
  Describer(const LaunchBinding &binding) : binding(binding) {}

  FailureOr<KernelCall> describe(Operation *op);

private:
  Args args() const { return Args(binding); }
  /// Adds a CPU call.
  void host(LibraryCall call) { result.host.push_back(std::move(call)); }
  /// Adds a device phase.
  void device(StringRef name, int64_t units, Units spread, LibraryCall call,
              int64_t errorBound = -1, int block = 0) {
    result.device.push_back(
        {name.str(), units, spread, std::move(call), errorBound, block});
  }
  /// The head dimension of an attention whose tensors `bf16` are all
  /// stored in bf16 and `f32` in f32, when runtime/cuda/FlashAttention.cuh
  /// takes it (d == dv, a multiple of 16, at most `maxD`); 0 otherwise.
  int64_t flashHeadDim(Value query, Value value, ArrayRef<Value> bf16,
                       ArrayRef<Value> f32, int64_t maxD) const {
    const int64_t d = shapeOf(query).back();
    if (d != shapeOf(value).back() || d % 16 || d > maxD ||
        !storedAs(bf16, f32))
      return 0;
    return d;
  }
  /// The vectors a lane of LayerNormBf16.cuh holds for rows of `cols` (a
  /// multiple of 8, at most 8 vectors of 8 a lane) whose `bf16` buffers are
  /// bf16 and `f32` ones f32; 0 when that kernel does not apply.
  int rowVectors(int64_t cols, ArrayRef<Value> bf16,
                 ArrayRef<Value> f32) const {
    constexpr int64_t kPerRound = 32 * 8; // a warp's values a round
    if (cols % 8 || cols > 8 * kPerRound || !storedAs(bf16, f32))
      return 0;
    return static_cast<int>((cols + kPerRound - 1) / kPerRound);
  }
  /// Whether the buffers of `bf16` are all bf16 and those of `f32` (where
  /// present) f32.
  bool storedAs(ArrayRef<Value> bf16, ArrayRef<Value> f32) const {
    return llvm::all_of(bf16,
                        [&](Value v) { return v && binding.isBf16(v); }) &&
           llvm::none_of(f32, [&](Value v) { return v && binding.isBf16(v); });
  }
  /// The same call on both targets; on the device one phase of `units`.
  void both(StringRef function, const Args &a, int64_t units, Units spread) {
    host(a.call(function));
    device("", units, spread, a.call(function));
  }
  LibraryCall fill(Value buffer, int64_t count) {
    return args().p(buffer).i(count).expr("0.0f").call("fill");
  }
  /// N, C, H*W, the input, scale, bias, running statistics and epsilon of
  /// both batch norms.
  template <typename BatchNormLike> Args batchNormArgs(BatchNormLike b) {
    Shape x = shapeOf(b.getInput());
    return args()
        .ints(x[0], x[1], product(x) / (x[0] * x[1]))
        .ptrs(b.getInput(), b.getScale(), b.getBias(), b.getRunningMean(),
              b.getRunningVar())
        .f(b.getEpsilon());
  }
  void dataMovement(Operation *op, const DataMovement &move);
  void reduce(Operation *op, Value input, Value output, ArrayRef<int64_t> axes);
  template <typename GatherLike> void gather(GatherLike g);

  const LaunchBinding &binding;
  KernelCall result;
};

void Describer::dataMovement(Operation *op, const DataMovement &move) {
  const int64_t count = product(shapeOf(move.result));
  if (move.zeroFirst) {
    host(fill(move.result, count));
    device("zero", count, Units::PerThread, fill(move.result, count));
  }
  for (auto [i, c] : llvm::enumerate(move.copies)) {
    LibraryCall copy =
        args()
            .i(c.shape.size())
            .expr("shape")
            .expr(offsetPointer(binding.pointer(c.source), c.sourceOffset))
            .expr("from")
            .expr(offsetPointer(binding.pointer(move.result), c.destOffset))
            .expr("to")
            .call("stridedCopy");
    copy.arrays = {
        {"shape", c.shape}, {"from", c.sourceStrides}, {"to", c.destStrides}};
    host(copy);
    device(isa<ConcatOp>(op) ? fmt::format("part{}", i)
           : move.zeroFirst  ? std::string("copy")
                             : std::string(),
           product(c.shape), Units::PerThread, std::move(copy));
  }
}

void Describer::reduce(Operation *op, Value input, Value output,
                       ArrayRef<int64_t> axesList) {
  Shape s = shapeOf(input), strides = contiguousStrides(s);
  llvm::SmallDenseSet<int64_t> axes(axesList.begin(), axesList.end());
  const int64_t rank = static_cast<int64_t>(s.size());
  // CPU: the input's shape, and the result's strides with 0 on reduced axes.
  Shape keptOnes;
  for (int64_t d = 0; d < rank; ++d)
    keptOnes.push_back(axes.contains(d) ? 1 : s[d]);
  Shape keptOnesStrides = contiguousStrides(keptOnes), to;
  for (int64_t d = 0; d < rank; ++d)
    to.push_back(axes.contains(d) ? 0 : keptOnesStrides[d]);
  const char *kind = isa<ReduceSumOp>(op)    ? "Sum"
                     : isa<ReduceMeanOp>(op) ? "Mean"
                                             : "Max";
  LibraryCall onHost = args()
                           .expr(fmt::format("clip::cpu::Reduction::{}", kind))
                           .i(rank)
                           .expr("shape")
                           .p(input)
                           .expr("to")
                           .p(output)
                           .i(product(keptOnes))
                           .call("reduce");
  onHost.arrays = {{"shape", s}, {"to", to}};
  host(std::move(onHost));

  // CUDA: one block per kept element, reducing over the reduced axes.
  Shape kept, keptStrides, reduced, reducedStrides;
  for (int64_t d = 0; d < rank; ++d) {
    (axes.contains(d) ? reduced : kept).push_back(s[d]);
    (axes.contains(d) ? reducedStrides : keptStrides).push_back(strides[d]);
  }
  const int kindCode = isa<ReduceSumOp>(op) ? 0 : isa<ReduceMeanOp>(op) ? 1 : 2;
  LibraryCall onDevice = args()
                             .ints(kindCode, kept.size())
                             .expr("kept")
                             .expr("keptStrides")
                             .i(reduced.size())
                             .expr("reduced")
                             .expr("reducedStrides")
                             .ptrs(input, output)
                             .call("reduce");
  onDevice.arrays = {{"kept", kept},
                     {"keptStrides", keptStrides},
                     {"reduced", reduced},
                     {"reducedStrides", reducedStrides}};
  device("", product(kept), Units::PerBlock, std::move(onDevice));
}

template <typename GatherLike> void Describer::gather(GatherLike g) {
  constexpr bool isGrad = std::is_same_v<GatherLike, GatherGradOp>;
  Value table = isGrad ? g.getResult() : g->getOperand(0);
  Shape x = shapeOf(table), idx = shapeOf(g.getIndices());
  const int64_t axis = g.getAxis(), bd = g.getBatchDims();
  ArrayRef<int64_t> xs(x);
  Args a = args()
               .i(product(xs.take_front(bd)))
               .i(product(xs.slice(bd, axis - bd)))
               .i(x[axis])
               .i(product(xs.drop_front(axis + 1)))
               .i(product(ArrayRef<int64_t>(idx).drop_front(bd)))
               .ptrs(g->getOperand(0), g.getIndices(), g.getResult());
  const char *function = isGrad ? "gatherGrad" : "gather";
  // The CPU call returns the first bad position; the device kernels park it
  // in their error slot.
  LibraryCall onHost = a.call(function);
  onHost.indexCheck = {binding.pointer(g.getIndices()), x[axis]};
  host(std::move(onHost));
  LibraryCall onDevice = Args(a).add(CallArg::ErrorSlot, "").call(function);
  if (isGrad) {
    device("zero", product(x), Units::PerThread,
           fill(g.getResult(), product(x)));
    device("scatter", product(shapeOf(g->getOperand(0))), Units::PerThread,
           std::move(onDevice), x[axis]);
  } else {
    device("", product(shapeOf(g.getResult())), Units::PerThread,
           std::move(onDevice), x[axis]);
  }
}

FailureOr<KernelCall> Describer::describe(Operation *op) {
  if (isPointwise(op)) {
    FailureOr<ElementwiseLoop> loop = emitElementwiseLoop(
        op, binding.operandPointers(op), binding.resultPointers(op));
    if (failed(loop))
      return failure();
    result.kind = KernelCall::Elementwise;
    result.loop = std::move(*loop);
    return std::move(result);
  }
  result.kind = KernelCall::Library;
  if (std::optional<DataMovement> move =
          mlir::clip::codegen::dataMovement(op)) {
    dataMovement(op, *move);
    return std::move(result);
  }

  auto gemm = [&](Value a, Value b, bool ta, bool tb, Value bias,
                  Activation activation, Value residual,
                  Value out) -> LogicalResult {
    FailureOr<GemmShape> shape = gemmShape(op, a, b, ta, out);
    if (failed(shape))
      return failure();
    result.kind = KernelCall::Gemm;
    result.gemm =
        GemmCall{a, b, bias, residual, out, ta, tb, activation, *shape};
    return success();
  };

  LogicalResult described =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](GemmOp g) {
            return gemm(g.getLhs(), g.getRhs(), g.getTransposeLhs(),
                        g.getTransposeRhs(), g.getBias(), g.getActivation(),
                        g.getResidual(), g.getResult());
          })
          .Case([&](MatmulOp g) {
            return gemm(g.getLhs(), g.getRhs(), g.getTransposeLhs(),
                        g.getTransposeRhs(), Value(), Activation::none, Value(),
                        g.getResult());
          })
          .Case([&](LayerNormOp ln) {
            Shape s = shapeOf(ln.getInput());
            const int64_t rows = product(s) / s.back();
            Args a = args()
                         .ints(rows, s.back())
                         .p(ln.getInput())
                         .null()
                         .null()
                         .ptrs(ln.getWeight(), ln.getBias())
                         .f(ln.getEpsilon())
                         .ptrs(ln.getResult(), ln.getMean(), ln.getRstd());
            host(a.call("layerNorm"));
            if (int vectors =
                    rowVectors(s.back(), {ln.getInput(), ln.getResult()},
                               {ln.getWeight(), ln.getBias(), ln.getMean(),
                                ln.getRstd()})) {
              device("", (rows + kRowWarps - 1) / kRowWarps, Units::PerBlock,
                     a.call(fmt::format("layerNormForwardBf16<{}>", vectors)),
                     -1, kRowBlock);
              result.deviceTakesBf16 = true;
              return success();
            }
            device("", rows, Units::PerBlock, a.call("layerNormForward"));
            return success();
          })
          .Case([&](AddLayerNormOp ln) {
            Shape s = shapeOf(ln.getInput());
            const int64_t rows = product(s) / s.back();
            Args a = args()
                         .ints(rows, s.back())
                         .ptrs(ln.getInput(), ln.getResidual(), ln.getSum(),
                               ln.getWeight(), ln.getBias())
                         .f(ln.getEpsilon())
                         .ptrs(ln.getResult(), ln.getMean(), ln.getRstd());
            host(a.call("layerNorm"));
            if (int vectors = rowVectors(s.back(),
                                         {ln.getInput(), ln.getResidual(),
                                          ln.getSum(), ln.getResult()},
                                         {ln.getWeight(), ln.getBias(),
                                          ln.getMean(), ln.getRstd()})) {
              device("", (rows + kRowWarps - 1) / kRowWarps, Units::PerBlock,
                     a.call(fmt::format("layerNormForwardBf16<{}>", vectors)),
                     -1, kRowBlock);
              result.deviceTakesBf16 = true;
              return success();
            }
            device("", rows, Units::PerBlock, a.call("layerNormForward"));
            return success();
          })
          .Case([&](LayerNormGradOp g) {
            Shape s = shapeOf(g.getInput());
            const int64_t rows = product(s) / s.back(), cols = s.back();
            Args common =
                args()
                    .ints(rows, cols)
                    .ptrs(g.getGrad(), g.getInput(), g.getMean(), g.getRstd());
            host(Args(common)
                     .ptrs(g.getWeight(), g.getInputGrad(), g.getWeightGrad(),
                           g.getBiasGrad())
                     .call("layerNormGrad"));
            if (int vectors = rowVectors(
                    cols, {g.getGrad(), g.getInput(), g.getInputGrad()},
                    {g.getMean(), g.getRstd(), g.getWeight(), g.getWeightGrad(),
                     g.getBiasGrad()})) {
              device(
                  "input", (rows + kRowWarps - 1) / kRowWarps, Units::PerBlock,
                  Args(common)
                      .ptrs(g.getWeight(), g.getInputGrad())
                      .call(fmt::format("layerNormGradInputBf16<{}>", vectors)),
                  -1, kRowBlock);
              // Column sums of kParamRows rows a block, then in double.
              const int64_t chunks = (rows + kParamRows - 1) / kParamRows;
              ScratchLayout scratch;
              const int64_t partial = scratch.add(chunks * 2 * cols * 4);
              device("params", chunks, Units::PerBlock,
                     Args(common)
                         .scratch("float", partial)
                         .call("layerNormGradParamsPartialBf16"),
                     -1, kRowBlock);
              device("params_sum", 2 * cols, Units::PerThread,
                     args()
                         .ints(chunks, cols)
                         .scratch("float", partial)
                         .ptrs(g.getWeightGrad(), g.getBiasGrad())
                         .call("layerNormGradParamsSum"));
              result.deviceTakesBf16 = true;
              result.deviceScratchBytes = scratch.bytes;
              return success();
            }
            device("input", rows, Units::PerBlock,
                   Args(common)
                       .ptrs(g.getWeight(), g.getInputGrad())
                       .call("layerNormGradInput"));
            // Each block reduces kParamColumns columns over every row.
            constexpr int64_t columns = ::clip::kernels::kParamColumns;
            device("params", (cols + columns - 1) / columns, Units::PerBlock,
                   Args(common)
                       .ptrs(g.getWeightGrad(), g.getBiasGrad())
                       .call("layerNormGradParams"));
            return success();
          })
          .Case([&](AttentionOp a) {
            Shape q = shapeOf(a.getQuery());
            Args call = args()
                            .attention(a.getQuery(), a.getKey(), a.getValue(),
                                       a.getScale(), a.getCausal())
                            .ptrs(a.getQuery(), a.getKey(), a.getValue(),
                                  a.getResult(), a.getLse());
            host(call.call("attention"));
            // bf16 storage: FlashAttention-2 on tensor cores.
            if (int64_t d = flashHeadDim(
                    a.getQuery(), a.getValue(),
                    {a.getQuery(), a.getKey(), a.getValue(), a.getResult()},
                    {a.getLse()}, 128)) {
              const int64_t rows = product(q) / q.back(), lq = q[q.size() - 2];
              device("", rows / lq * ((lq + kFlash - 1) / kFlash),
                     Units::PerBlock,
                     args()
                         .flash(a.getQuery(), a.getKey(), a.getScale(),
                                a.getCausal())
                         .ptrs(a.getQuery(), a.getKey(), a.getValue(),
                               a.getResult(), a.getLse())
                         .call(fmt::format("flashAttentionForward<{}>", d)),
                     -1, kFlashBlock);
              result.deviceTakesBf16 = true;
              return success();
            }
            device("", product(q) / q.back(), Units::PerBlock,
                   call.call("attentionForward"));
            return success();
          })
          .Case([&](AttentionGradOp a) {
            Shape q = shapeOf(a.getQuery()), k = shapeOf(a.getKey());
            Args common = args()
                              .attention(a.getQuery(), a.getKey(), a.getValue(),
                                         a.getScale(), a.getCausal())
                              .ptrs(a.getGrad(), a.getQuery(), a.getKey(),
                                    a.getValue(), a.getOutput(), a.getLse());
            host(Args(common)
                     .ptrs(a.getQueryGrad(), a.getKeyGrad(), a.getValueGrad())
                     .call("attentionGrad"));
            if (int64_t d =
                    flashHeadDim(a.getQuery(), a.getValue(),
                                 {a.getGrad(), a.getQuery(), a.getKey(),
                                  a.getValue(), a.getOutput(), a.getQueryGrad(),
                                  a.getKeyGrad(), a.getValueGrad()},
                                 {a.getLse()}, 64)) {
              const int64_t lq = q[q.size() - 2], lk = k[k.size() - 2];
              const int64_t batch = product(q) / (lq * q.back());
              Args flash = args()
                               .flash(a.getQuery(), a.getKey(), a.getScale(),
                                      a.getCausal())
                               .ptrs(a.getGrad(), a.getQuery(), a.getKey(),
                                     a.getValue(), a.getOutput(), a.getLse());
              device("query", batch * ((lq + kFlash - 1) / kFlash),
                     Units::PerBlock,
                     Args(flash)
                         .p(a.getQueryGrad())
                         .call(fmt::format("flashAttentionGradQuery<{}>", d)),
                     -1, kFlashBlock);
              device(
                  "key_value", batch * ((lk + kFlash - 1) / kFlash),
                  Units::PerBlock,
                  Args(flash)
                      .ptrs(a.getKeyGrad(), a.getValueGrad())
                      .call(fmt::format("flashAttentionGradKeyValue<{}>", d)),
                  -1, kFlashBlock);
              result.deviceTakesBf16 = true;
              return success();
            }
            device("query", product(q) / q.back(), Units::PerBlock,
                   Args(common).p(a.getQueryGrad()).call("attentionGradQuery"));
            device("key_value", product(k) / k.back(), Units::PerBlock,
                   Args(common)
                       .ptrs(a.getKeyGrad(), a.getValueGrad())
                       .call("attentionGradKeyValue"));
            return success();
          })
          .Case([&](ContrastiveLossOp c) {
            Shape s = shapeOf(c.getImage());
            const int64_t n = s[0], d = s[1];
            Args embeddings =
                args().i(n).i(s[1]).p(c.getImage()).p(c.getText());
            host(Args(embeddings)
                     .p(c.getLogitScale())
                     .f(c.getEpsilon())
                     .ptrs(c.getLoss(), c.getImageNorm(), c.getTextNorm(),
                           c.getImageLse(), c.getTextLse())
                     .call("contrastiveLoss"));
            // bf16 embeddings: the tiles on tensor cores
            // (TiledContrastiveLoss.cuh), the unit vectors in scratch.
            if (d % 16 == 0 &&
                storedAs({c.getImage(), c.getText()},
                         {c.getLogitScale(), c.getLoss(), c.getImageNorm(),
                          c.getTextNorm(), c.getImageLse(), c.getTextLse()})) {
              ScratchLayout scratch;
              const int64_t unitImage = scratch.add(n * d * 2),
                            unitText = scratch.add(n * d * 2);
              Args units = args().ints(n, d).ptrs(c.getImage(), c.getText());
              Args tiles = args()
                               .ints(n, d)
                               .scratch("clip::bf16", unitImage)
                               .scratch("clip::bf16", unitText)
                               .p(c.getLogitScale());
              device("units", 2 * n, Units::PerBlock,
                     Args(units)
                         .f(c.getEpsilon())
                         .ptrs(c.getImageNorm(), c.getTextNorm())
                         .scratch("clip::bf16", unitImage)
                         .scratch("clip::bf16", unitText)
                         .call("contrastiveLossUnits"));
              device("lse", 2 * ((n + kFlash - 1) / kFlash), Units::PerBlock,
                     Args(tiles)
                         .ptrs(c.getImageLse(), c.getTextLse())
                         .call("contrastiveLossTileLse"),
                     -1, kFlashBlock);
              device("total", 1, Units::PerBlock,
                     Args(tiles)
                         .ptrs(c.getImageLse(), c.getTextLse(), c.getLoss())
                         .call("contrastiveLossTileTotal"));
              result.deviceTakesBf16 = true;
              result.deviceScratchBytes = scratch.bytes;
              return success();
            }
            // Norms, then each row's log-sum-exp, then the mean.
            device("norms", 2 * n, Units::PerBlock,
                   Args(embeddings)
                       .f(c.getEpsilon())
                       .ptrs(c.getImageNorm(), c.getTextNorm())
                       .call("contrastiveLossNorms"));
            Args scaled =
                Args(embeddings)
                    .ptrs(c.getLogitScale(), c.getImageNorm(), c.getTextNorm());
            device("lse", 2 * n, Units::PerBlock,
                   Args(scaled)
                       .ptrs(c.getImageLse(), c.getTextLse())
                       .call("contrastiveLossLse"));
            device("total", 1, Units::PerBlock,
                   Args(scaled)
                       .ptrs(c.getImageLse(), c.getTextLse(), c.getLoss())
                       .call("contrastiveLossTotal"));
            return success();
          })
          .Case([&](ContrastiveLossGradOp c) {
            Shape s = shapeOf(c.getImage());
            const int64_t n = s[0], d = s[1];
            Args common = args().ints(n, s[1]).ptrs(
                c.getGrad(), c.getImage(), c.getText(), c.getLogitScale(),
                c.getImageNorm(), c.getTextNorm(), c.getImageLse(),
                c.getTextLse());
            host(Args(common)
                     .f(c.getEpsilon())
                     .ptrs(c.getImageGrad(), c.getTextGrad(),
                           c.getLogitScaleGrad())
                     .call("contrastiveLossGrad"));
            // bf16 embeddings; their gradients f32 (the policy keeps the
            // loss's results in f32) or bf16.
            const bool bf16Grads = binding.isBf16(c.getImageGrad());
            const std::vector<Value> grads = {c.getImageGrad(),
                                              c.getTextGrad()};
            if (d % 16 == 0 &&
                storedAs({c.getImage(), c.getText()},
                         {c.getGrad(), c.getLogitScale(), c.getImageNorm(),
                          c.getTextNorm(), c.getImageLse(), c.getTextLse(),
                          c.getLogitScaleGrad()}) &&
                (bf16Grads ? storedAs(grads, {}) : storedAs({}, grads))) {
              ScratchLayout scratch;
              const int64_t unitImage = scratch.add(n * d * 2),
                            unitText = scratch.add(n * d * 2),
                            imageSums = scratch.add(n * d * 4),
                            textSums = scratch.add(n * d * 4),
                            partial = scratch.add(n * 8);
              device("units", 2 * n, Units::PerBlock,
                     args()
                         .ints(n, d)
                         .ptrs(c.getImage(), c.getText(), c.getImageNorm(),
                               c.getTextNorm())
                         .scratch("clip::bf16", unitImage)
                         .scratch("clip::bf16", unitText)
                         .call("contrastiveLossGradUnits"));
              device(
                  "tiles", 2 * ((n + kFlash - 1) / kFlash), Units::PerBlock,
                  args()
                      .ints(n, d)
                      .p(c.getGrad())
                      .scratch("clip::bf16", unitImage)
                      .scratch("clip::bf16", unitText)
                      .ptrs(c.getLogitScale(), c.getImageLse(), c.getTextLse())
                      .scratch("float", imageSums)
                      .scratch("float", textSums)
                      .scratch("double", partial)
                      .call("contrastiveLossTileGrad"),
                  -1, kFlashBlock);
              device(
                  "finish", 2 * n + 1, Units::PerBlock,
                  args()
                      .ints(n, d)
                      .ptrs(c.getImage(), c.getText(), c.getLogitScale(),
                            c.getImageNorm(), c.getTextNorm())
                      .f(c.getEpsilon())
                      .scratch("float", imageSums)
                      .scratch("float", textSums)
                      .scratch("double", partial)
                      .ptrs(c.getImageGrad(), c.getTextGrad(),
                            c.getLogitScaleGrad())
                      .call(fmt::format("contrastiveLossGradFinish<{}>",
                                        bf16Grads ? "clip::bf16" : "float")));
              result.deviceTakesBf16 = true;
              result.deviceScratchBytes = scratch.bytes;
              return success();
            }
            // The scale's gradient first: per-row partial sums parked in
            // the embedding gradients (overwritten right after), then their
            // sum.
            device("scale_rows", n, Units::PerBlock,
                   Args(common)
                       .ptrs(c.getImageGrad(), c.getTextGrad())
                       .call("contrastiveLossGradScaleRows"));
            device("scale", 1, Units::PerBlock,
                   args()
                       .i(n)
                       .ptrs(c.getImageGrad(), c.getTextGrad(),
                             c.getLogitScaleGrad())
                       .call("contrastiveLossGradScaleSum"));
            device("embeddings", 2 * n, Units::PerBlock,
                   Args(common)
                       .f(c.getEpsilon())
                       .ptrs(c.getImageGrad(), c.getTextGrad())
                       .call("contrastiveLossGradEmbeddings"));
            return success();
          })
          .Case([&](SigmoidLossOp c) {
            Shape s = shapeOf(c.getImage());
            const int64_t n = s[0];
            Args embeddings = args().i(n).i(s[1]).p(c.getImage()).p(c.getText());
            host(Args(embeddings)
                     .ptrs(c.getLogitScale(), c.getLogitBias())
                     .f(c.getEpsilon())
                     .ptrs(c.getLoss(), c.getImageNorm(), c.getTextNorm())
                     .call("sigmoidLoss"));
            // Norms, each row's sum of terms (in scratch), their mean.
            ScratchLayout scratch;
            const int64_t rows = scratch.add(n * 8);
            device("norms", 2 * n, Units::PerBlock,
                   Args(embeddings)
                       .f(c.getEpsilon())
                       .ptrs(c.getImageNorm(), c.getTextNorm())
                       .call("contrastiveLossNorms"));
            device("rows", n, Units::PerBlock,
                   Args(embeddings)
                       .ptrs(c.getLogitScale(), c.getLogitBias(),
                             c.getImageNorm(), c.getTextNorm())
                       .scratch("double", rows)
                       .call("sigmoidLossRows"));
            device("total", 1, Units::PerBlock,
                   args()
                       .i(n)
                       .scratch("double", rows)
                       .p(c.getLoss())
                       .call("sigmoidLossTotal"));
            result.deviceScratchBytes = scratch.bytes;
            return success();
          })
          .Case([&](SigmoidLossGradOp c) {
            Shape s = shapeOf(c.getImage());
            const int64_t n = s[0];
            Args common =
                args().ints(n, s[1]).ptrs(c.getGrad(), c.getImage(),
                                          c.getText(), c.getLogitScale(),
                                          c.getLogitBias(), c.getImageNorm(),
                                          c.getTextNorm());
            host(Args(common)
                     .f(c.getEpsilon())
                     .ptrs(c.getImageGrad(), c.getTextGrad(),
                           c.getLogitScaleGrad(), c.getLogitBiasGrad())
                     .call("sigmoidLossGrad"));
            ScratchLayout scratch;
            const int64_t partial = scratch.add(2 * n * 8);
            device("scale_rows", n, Units::PerBlock,
                   Args(common)
                       .scratch("double", partial)
                       .call("sigmoidLossGradScaleRows"));
            device("scale", 1, Units::PerBlock,
                   args()
                       .i(n)
                       .scratch("double", partial)
                       .ptrs(c.getLogitScaleGrad(), c.getLogitBiasGrad())
                       .call("sigmoidLossGradScaleSum"));
            device("embeddings", 2 * n, Units::PerBlock,
                   Args(common)
                       .f(c.getEpsilon())
                       .ptrs(c.getImageGrad(), c.getTextGrad())
                       .call("sigmoidLossGradEmbeddings"));
            result.deviceScratchBytes = scratch.bytes;
            return success();
          })
          .Case([&](Conv2DOp c) {
            Args a = args()
                         .conv2d(c.getInput(), c.getWeight(), c.getResult(),
                                 c.getStride(), c.getPadding(), c.getDilation(),
                                 c.getGroups())
                         .ptrs(c.getInput(), c.getWeight(), c.getBias(),
                               c.getResult());
            host(a.call("conv2d"));
            device("", product(shapeOf(c.getResult())), Units::PerThread,
                   a.call("conv2dForward"));
            return success();
          })
          .Case([&](Conv2DGradOp c) {
            Args shape = args().conv2d(c.getInput(), c.getWeight(), c.getGrad(),
                                       c.getStride(), c.getPadding(),
                                       c.getDilation(), c.getGroups());
            host(Args(shape)
                     .ptrs(c.getGrad(), c.getInput(), c.getWeight(),
                           c.getInputGrad(), c.getWeightGrad())
                     .call("conv2dGrad"));
            device("input", product(shapeOf(c.getInput())), Units::PerThread,
                   Args(shape)
                       .ptrs(c.getGrad(), c.getWeight(), c.getInputGrad())
                       .call("conv2dGradInput"));
            device("weight", product(shapeOf(c.getWeight())), Units::PerBlock,
                   Args(shape)
                       .ptrs(c.getGrad(), c.getInput(), c.getWeightGrad())
                       .call("conv2dGradWeight"));
            return success();
          })
          .Case<AvgPool2DOp, AvgPool2DGradOp>([&](auto p) {
            constexpr bool isGrad =
                std::is_same_v<decltype(p), AvgPool2DGradOp>;
            Value x = isGrad ? p.getResult() : p->getOperand(0);
            Value y = isGrad ? p->getOperand(0) : p.getResult();
            both(isGrad ? "avgPool2dGrad" : "avgPool2d",
                 args()
                     .pool2d(x, y, p.getKernel(), p.getStride(), p.getPadding())
                     .ptrs(p->getOperand(0), p.getResult()),
                 product(shapeOf(p.getResult())), Units::PerThread);
            return success();
          })
          .Case([&](BatchNormOp b) {
            both("batchNorm", batchNormArgs(b).p(b.getResult()),
                 product(shapeOf(b.getInput())), Units::PerThread);
            return success();
          })
          .Case([&](BatchNormTrainOp b) {
            // One block per channel: its statistics, then its outputs.
            both("batchNormTrain",
                 batchNormArgs(b)
                     .f(b.getMomentum())
                     .ptrs(b.getResult(), b.getNewRunningMean(),
                           b.getNewRunningVar()),
                 shapeOf(b.getInput())[1], Units::PerBlock);
            return success();
          })
          .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp>([&](auto r) {
            reduce(op, r.getInput(), r.getResult(), r.getAxes());
            return success();
          })
          .Case([&](ArgmaxOp a) {
            AxisSplit s = splitAt(shapeOf(a.getInput()), a.getAxis());
            both("argmax",
                 args()
                     .ints(s.outer, s.extent, s.inner)
                     .ptrs(a.getInput(), a.getResult()),
                 s.outer * s.inner, Units::PerThread);
            return success();
          })
          .Case<SoftmaxOp, LogSoftmaxOp>([&](auto sm) {
            AxisSplit s = splitAt(shapeOf(sm.getInput()), sm.getAxis());
            both("softmax",
                 args()
                     .ints(s.outer, s.extent, s.inner)
                     .b(isa<LogSoftmaxOp>(op))
                     .ptrs(sm.getInput(), sm.getResult()),
                 s.outer * s.inner, Units::PerBlock);
            return success();
          })
          .Case<GatherOp, GatherGradOp>([&](auto g) {
            gather(g);
            return success();
          })
          .Default([&](Operation *) {
            result.kind = KernelCall::None;
            return success();
          });
  if (failed(described))
    return failure();
  return std::move(result);
}

} // namespace

namespace mlir::clip::codegen {

FailureOr<KernelCall> describeKernel(Operation *op,
                                     const LaunchBinding &binding) {
  return Describer(binding).describe(op);
}

FailureOr<KernelCall> describeLaunch(kernel::LaunchOp launch,
                                     const BufferNames &names, StringRef target,
                                     LaunchBinding &binding) {
  FailureOr<LaunchBinding> bound = LaunchBinding::bind(launch, names);
  if (failed(bound))
    return failure();
  binding = std::move(*bound);
  Operation *op = launch.getKernelOp();
  if (!isPointwise(op) && failed(checkF32Operands(op, target)))
    return failure();
  FailureOr<KernelCall> call = describeKernel(op, binding);
  if (succeeded(call) && call->kind == KernelCall::None)
    return op->emitError() << "no " << target << " kernel for this op";
  return call;
}

std::string printArg(const CallArg &arg, StringRef ns, StringRef errorSlot,
                     StringRef scratch) {
  switch (arg.kind) {
  case CallArg::Expr:
    return arg.text;
  case CallArg::Conv2D:
    return fmt::format("{}::Conv2DShape{}", ns.str(), arg.text);
  case CallArg::Pool2D:
    return fmt::format("{}::Pool2DShape{}", ns.str(), arg.text);
  case CallArg::ErrorSlot:
    return errorSlot.str();
  case CallArg::Scratch:
    assert(!scratch.empty() && "a scratch argument outside a device phase");
    return fmt::format("reinterpret_cast<{}*>({} + {})", arg.text,
                       scratch.str(), arg.offset);
  }
  llvm_unreachable("unknown argument kind");
}

std::string printCall(const LibraryCall &call, StringRef ns,
                      StringRef errorSlot, StringRef scratch) {
  std::string text = fmt::format("{}::{}(", ns.str(), call.function);
  for (auto [i, arg] : llvm::enumerate(call.args))
    text += (i ? ", " : "") + printArg(arg, ns, errorSlot, scratch);
  return text + ")";
}

std::string printArrays(const LibraryCall &call) {
  std::string text;
  for (auto [i, array] : llvm::enumerate(call.arrays))
    text += fmt::format("{}{}[] = {}", i ? ", " : "", array.first,
                        list(array.second));
  return text;
}

std::string launchOrigin(kernel::LaunchOp launch) {
  Operation *op = launch.getKernelOp();
  std::string source;
  if (auto file = op->getLoc()->findInstanceOf<FileLineColLoc>())
    source = fmt::format(" at {}:{}:{}", file.getFilename().str(),
                         file.getLine(), file.getColumn());
  return fmt::format("kernel {} ({}{})", launch.getSymName().str(),
                     op->getName().getStringRef().str(), source);
}

std::string cStringLiteral(StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += (c == '\n') ? ' ' : c;
  }
  return out + "\"";
}

} // namespace mlir::clip::codegen
