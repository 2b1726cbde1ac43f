//===- LibraryEmitter.cpp - C++ source of a clip.so -----------------------===//
//
// The CPU target: each launch becomes one call into runtime/cpu's kernel
// library (shapes and arena offsets as constants) or, for elementwise
// kernels, a generated loop. Everything the runtime needs to bind and run a
// function is written as static descriptor tables.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/Library/LibraryEmitter.h"
#include "compiler/Target/Common/ElementwiseEmitter.h"
#include "compiler/Target/Common/KernelArguments.h"

#include "clip/IR/ClipOps.h"
#include "kernel/IR/KernelOps.h"
#include "runtime/cpu/CpuKernels.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include "fmt/format.h"

using namespace mlir;
using namespace mlir::clip;
using namespace mlir::clip::codegen;

// The generated code casts the dialect's epilogue activation to the CPU
// library's (and the CUDA kernels take the same integer): one numbering.
static_assert(int(mlir::clip::Activation::none) == int(::clip::cpu::Activation::None) &&
                  int(mlir::clip::Activation::gelu) == int(::clip::cpu::Activation::Gelu) &&
                  int(mlir::clip::Activation::gelu_tanh) ==
                      int(::clip::cpu::Activation::GeluTanh) &&
                  int(mlir::clip::Activation::quick_gelu) ==
                      int(::clip::cpu::Activation::QuickGelu),
              "clip.gemm's Activation must number as clip::cpu::Activation");

namespace {

/// Emits one function: its CPU entry point and its descriptor tables.
class FunctionEmitter {
public:
  FunctionEmitter(func::FuncOp func, BufferNames names, llvm::raw_ostream &os)
      : func(func), names(std::move(names)), os(os),
        prefix(func.getSymName().str()) {}

  LogicalResult emitCode();
  /// The descriptor tables; `cuda` is null without the CUDA target.
  void emitTables(const CudaFunction *cuda);

private:
  void emitCudaTables(const CudaFunction &cuda);
  LogicalResult emitLaunch(kernel::LaunchOp launch);
  LogicalResult emitKernel(Operation *op);
  std::string in(Value v) const { return binding.pointer(v); }
  std::string out(Value v) const { return binding.pointer(v); }
  void line(const std::string &text) { os << "  " << text << "\n"; }
  void stridedCopy(ArrayRef<int64_t> shape, const std::string &src,
                   ArrayRef<int64_t> srcStrides, const std::string &dst,
                   ArrayRef<int64_t> dstStrides);

  func::FuncOp func;
  BufferNames names;
  llvm::raw_ostream &os;
  std::string prefix;
  LaunchBinding binding;
  std::string launchName;
};

void FunctionEmitter::stridedCopy(ArrayRef<int64_t> shape,
                                  const std::string &src,
                                  ArrayRef<int64_t> srcStrides,
                                  const std::string &dst,
                                  ArrayRef<int64_t> dstStrides) {
  line(fmt::format("{{ const int64_t shape[] = {}, from[] = {}, to[] = {};",
                   list(shape), list(srcStrides), list(dstStrides)));
  line(fmt::format("  clip::cpu::stridedCopy({}, shape, {}, from, {}, to); }}",
                   shape.size(), src, dst));
}

LogicalResult FunctionEmitter::emitCode() {
  for (const BufferNames::Constant &constant : names.constants())
    os << fmt::format("alignas(64) const {} {}[] = {{{}}};\n",
                      constant.elementType, constant.name, constant.data);

  os << fmt::format(
      "\nint32_t run_{}(void *arena, void *const *P, void *const *I, "
      "char *error, size_t errorSize) {{\n",
      prefix);
  line("char *const A = static_cast<char *>(arena);");
  line("(void)A; (void)P; (void)I; (void)error; (void)errorSize;");
  for (auto launch : func.getOps<kernel::LaunchOp>())
    if (failed(emitLaunch(launch)))
      return failure();
  line("return 0;");
  os << "}\n\n";
  return success();
}

LogicalResult FunctionEmitter::emitLaunch(kernel::LaunchOp launch) {
  FailureOr<LaunchBinding> bound = LaunchBinding::bind(launch, names);
  if (failed(bound))
    return failure();
  binding = std::move(*bound);
  launchName = launch.getSymName().str();
  line("// " + launchName);
  return emitKernel(launch.getKernelOp());
}

LogicalResult FunctionEmitter::emitKernel(Operation *op) {
  if (isElementwiseKernel(op)) {
    FailureOr<ElementwiseLoop> loop = emitElementwiseLoop(
        op, binding.operandPointers(op), binding.resultPointers(op));
    if (failed(loop))
      return failure();
    line(fmt::format("#pragma omp parallel for schedule(static) if ({} >= "
                     "32768)",
                     loop->count));
    line(fmt::format("for (int64_t i = 0; i < {}; ++i) {{", loop->count));
    for (const std::string &statement : loop->body)
      line("  " + statement);
    line("}");
    return success();
  }
  if (failed(checkF32Operands(op, "CPU")))
    return failure();
  if (std::optional<DataMovement> move = dataMovement(op)) {
    const std::string result = out(move->result);
    if (move->zeroFirst)
      line(fmt::format("clip::cpu::fill({}, {}, 0.0f);", result,
                       product(shapeOf(move->result))));
    for (const StridedCopy &c : move->copies)
      stridedCopy(c.shape,
                  offsetPointer(in(c.source), c.sourceOffset),
                  c.sourceStrides,
                  offsetPointer(result, c.destOffset),
                  c.destStrides);
    return success();
  }

  auto gemm = [&](Value a, Value b, bool ta, bool tb, Value bias,
                  Activation activation, Value residual,
                  Value result) -> LogicalResult {
    FailureOr<GemmShape> g = gemmShape(op, a, b, ta, result);
    if (failed(g))
      return failure();
    line("{ clip::cpu::GemmArgs g;");
    line(fmt::format("  g.batch = {}; g.m = {}; g.n = {}; g.k = {};",
                     g->batch, g->m, g->n, g->k));
    line(fmt::format("  g.transposeA = {}; g.transposeB = {};", ta, tb));
    line(fmt::format("  g.a = {}; g.strideA = {}; g.b = {}; g.strideB = {};",
                     in(a), g->strideA, in(b), g->strideB));
    line(fmt::format("  g.c = {}; g.strideC = {};", out(result), g->strideC));
    if (bias)
      line(fmt::format("  g.bias = {};", in(bias)));
    if (activation != Activation::none)
      line(fmt::format("  g.activation = clip::cpu::Activation({});",
                       static_cast<int>(activation)));
    if (residual)
      line(fmt::format("  g.residual = {};", in(residual)));
    line("  clip::cpu::gemm(g); }");
    return success();
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
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
        line(fmt::format(
            "clip::cpu::layerNorm({}, {}, {}, nullptr, nullptr, {}, {}, {}f, "
            "{}, {}, {});",
            product(s) / s.back(), s.back(), in(ln.getInput()),
            in(ln.getWeight()), in(ln.getBias()), ln.getEpsilon().convertToDouble(),
            out(ln.getResult()), out(ln.getMean()), out(ln.getRstd())));
        return success();
      })
      .Case([&](AddLayerNormOp ln) {
        Shape s = shapeOf(ln.getInput());
        line(fmt::format(
            "clip::cpu::layerNorm({}, {}, {}, {}, {}, {}, {}, {}f, {}, {}, "
            "{});",
            product(s) / s.back(), s.back(), in(ln.getInput()),
            in(ln.getResidual()), out(ln.getSum()), in(ln.getWeight()),
            in(ln.getBias()), ln.getEpsilon().convertToDouble(),
            out(ln.getResult()), out(ln.getMean()), out(ln.getRstd())));
        return success();
      })
      .Case([&](LayerNormGradOp g) {
        Shape s = shapeOf(g.getInput());
        line(fmt::format("clip::cpu::layerNormGrad({}, {}, {}, {}, {}, {}, "
                         "{}, {}, {}, {});",
                         product(s) / s.back(), s.back(), in(g.getGrad()),
                         in(g.getInput()), in(g.getMean()), in(g.getRstd()),
                         in(g.getWeight()), out(g.getInputGrad()),
                         out(g.getWeightGrad()), out(g.getBiasGrad())));
        return success();
      })
      .Case([&](AttentionOp a) {
        line(fmt::format("clip::cpu::attention({}, {}, {}, {}, {}, {});",
                         attentionGeometry(a.getQuery(), a.getKey(),
                                           a.getValue(), a.getScale(),
                                           a.getCausal()),
                         in(a.getQuery()), in(a.getKey()), in(a.getValue()),
                         out(a.getResult()), out(a.getLse())));
        return success();
      })
      .Case([&](AttentionGradOp a) {
        line(fmt::format(
            "clip::cpu::attentionGrad({}, {}, {}, {}, {}, {}, {}, {}, {}, "
            "{});",
            attentionGeometry(a.getQuery(), a.getKey(), a.getValue(),
                              a.getScale(), a.getCausal()),
            in(a.getGrad()), in(a.getQuery()), in(a.getKey()),
            in(a.getValue()), in(a.getOutput()), in(a.getLse()),
            out(a.getQueryGrad()), out(a.getKeyGrad()),
            out(a.getValueGrad())));
        return success();
      })
      .Case([&](ContrastiveLossOp c) {
        Shape s = shapeOf(c.getImage());
        line(fmt::format(
            "clip::cpu::contrastiveLoss({}, {}, {}, {}, {}, {}f, {}, {}, {}, "
            "{}, {});",
            s[0], s[1], in(c.getImage()), in(c.getText()),
            in(c.getLogitScale()), c.getEpsilon().convertToDouble(),
            out(c.getLoss()), out(c.getImageNorm()), out(c.getTextNorm()),
            out(c.getImageLse()), out(c.getTextLse())));
        return success();
      })
      .Case([&](ContrastiveLossGradOp c) {
        Shape s = shapeOf(c.getImage());
        line(fmt::format(
            "clip::cpu::contrastiveLossGrad({}, {}, {}, {}, {}, {}, {}, {}, "
            "{}, {}, {}f, {}, {}, {});",
            s[0], s[1], in(c.getGrad()), in(c.getImage()), in(c.getText()),
            in(c.getLogitScale()), in(c.getImageNorm()), in(c.getTextNorm()),
            in(c.getImageLse()), in(c.getTextLse()),
            c.getEpsilon().convertToDouble(), out(c.getImageGrad()),
            out(c.getTextGrad()), out(c.getLogitScaleGrad())));
        return success();
      })
      .Case([&](Conv2DOp c) {
        line(fmt::format("clip::cpu::conv2d({}, {}, {}, {}, {});",
                         conv2dShape("clip::cpu", c.getInput(), c.getWeight(),
                                     c.getResult(), c.getStride(),
                                     c.getPadding(), c.getDilation(),
                                     c.getGroups()),
                         in(c.getInput()), in(c.getWeight()),
                         c.getBias() ? in(c.getBias()) : "nullptr",
                         out(c.getResult())));
        return success();
      })
      .Case([&](Conv2DGradOp c) {
        line(fmt::format("clip::cpu::conv2dGrad({}, {}, {}, {}, {}, {});",
                         conv2dShape("clip::cpu", c.getInput(), c.getWeight(),
                                     c.getGrad(), c.getStride(),
                                     c.getPadding(), c.getDilation(),
                                     c.getGroups()),
                         in(c.getGrad()), in(c.getInput()), in(c.getWeight()),
                         out(c.getInputGrad()), out(c.getWeightGrad())));
        return success();
      })
      .Case<AvgPool2DOp, AvgPool2DGradOp>([&](auto p) {
        constexpr bool isGrad = std::is_same_v<decltype(p), AvgPool2DGradOp>;
        Value x = isGrad ? p.getResult() : p->getOperand(0);
        Value y = isGrad ? p->getOperand(0) : p.getResult();
        line(fmt::format("clip::cpu::{}({}, {}, {});",
                         isGrad ? "avgPool2dGrad" : "avgPool2d",
                         pool2dShape("clip::cpu", x, y, p.getKernel(),
                                     p.getStride(), p.getPadding()),
                         in(p->getOperand(0)), out(p.getResult())));
        return success();
      })
      .Case([&](BatchNormOp b) {
        Shape x = shapeOf(b.getInput());
        line(fmt::format(
            "clip::cpu::batchNorm({}, {}, {}, {}, {}, {}, {}, {}, {}f, {});",
            x[0], x[1], product(x) / (x[0] * x[1]), in(b.getInput()),
            in(b.getScale()), in(b.getBias()), in(b.getRunningMean()),
            in(b.getRunningVar()), b.getEpsilon().convertToDouble(),
            out(b.getResult())));
        return success();
      })
      .Case([&](BatchNormTrainOp b) {
        Shape x = shapeOf(b.getInput());
        line(fmt::format("clip::cpu::batchNormTrain({}, {}, {}, {}, {}, {}, "
                         "{}, {}, {}f, {}f, {}, {}, {});",
                         x[0], x[1], product(x) / (x[0] * x[1]),
                         in(b.getInput()), in(b.getScale()), in(b.getBias()),
                         in(b.getRunningMean()), in(b.getRunningVar()),
                         b.getEpsilon().convertToDouble(),
                         b.getMomentum().convertToDouble(), out(b.getResult()),
                         out(b.getNewRunningMean()),
                         out(b.getNewRunningVar())));
        return success();
      })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp>([&](auto r) {
        Shape s = shapeOf(r.getInput());
        llvm::SmallDenseSet<int64_t> axes(r.getAxes().begin(),
                                          r.getAxes().end());
        Shape kept;
        for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d)
          kept.push_back(axes.contains(d) ? 1 : s[d]);
        Shape keptStrides = contiguousStrides(kept), dst;
        for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d)
          dst.push_back(axes.contains(d) ? 0 : keptStrides[d]);
        const char *kind = isa<ReduceSumOp>(r.getOperation())    ? "Sum"
                           : isa<ReduceMeanOp>(r.getOperation()) ? "Mean"
                                                                 : "Max";
        line(fmt::format("{{ const int64_t shape[] = {}, to[] = {};", list(s),
                         list(dst)));
        line(fmt::format("  clip::cpu::reduce(clip::cpu::Reduction::{}, {}, "
                         "shape, {}, to, {}, {}); }}",
                         kind, s.size(), in(r.getInput()), out(r.getResult()),
                         product(kept)));
        return success();
      })
      .Case([&](ArgmaxOp a) {
        Shape s = shapeOf(a.getInput());
        const int64_t axis = a.getAxis();
        line(fmt::format("clip::cpu::argmax({}, {}, {}, {}, {});",
                         product(ArrayRef<int64_t>(s).take_front(axis)),
                         s[axis], product(ArrayRef<int64_t>(s).drop_front(axis + 1)),
                         in(a.getInput()), out(a.getResult())));
        return success();
      })
      .Case<SoftmaxOp, LogSoftmaxOp>([&](auto sm) {
        Shape s = shapeOf(sm.getInput());
        const int64_t axis = sm.getAxis();
        line(fmt::format("clip::cpu::softmax({}, {}, {}, {}, {}, {});",
                         product(ArrayRef<int64_t>(s).take_front(axis)),
                         s[axis], product(ArrayRef<int64_t>(s).drop_front(axis + 1)),
                         isa<LogSoftmaxOp>(sm.getOperation()),
                         in(sm.getInput()), out(sm.getResult())));
        return success();
      })
      .Case<GatherOp, GatherGradOp>([&](auto g) {
        constexpr bool isGrad = std::is_same_v<decltype(g), GatherGradOp>;
        Value table = isGrad ? g.getResult() : g->getOperand(0);
        Shape x = shapeOf(table), idx = shapeOf(g.getIndices());
        const int64_t axis = g.getAxis(), bd = g.getBatchDims();
        ArrayRef<int64_t> xs(x);
        line(fmt::format(
            "if (const int64_t bad = clip::cpu::{}({}, {}, {}, {}, {}, {}, {}, "
            "{}); bad >= 0) {{",
            isGrad ? "gatherGrad" : "gather", product(xs.take_front(bd)),
            product(xs.slice(bd, axis - bd)), x[axis],
            product(xs.drop_front(axis + 1)),
            product(ArrayRef<int64_t>(idx).drop_front(bd)),
            in(g->getOperand(0)), in(g.getIndices()), out(g.getResult())));
        line(fmt::format(
            "  snprintf(error, errorSize, \"{}: index %lld at position %lld is "
            "outside [0, {})\", static_cast<long long>({}[bad]), "
            "static_cast<long long>(bad));",
            launchName, x[axis], in(g.getIndices())));
        line("  return 1;");
        line("}");
        return success();
      })
      .Default([&](Operation *other) {
        return other->emitError("no CPU kernel for this op");
      });
}

void FunctionEmitter::emitTables(const CudaFunction *cuda) {
  auto tensorTable = [&](const std::string &name, auto &&ops, auto &&nameOf,
                         auto &&offsetOf) {
    std::string rows;
    for (auto [i, op] : llvm::enumerate(ops)) {
      auto type = cast<MemRefType>(op->getResult(0).getType());
      os << fmt::format("const int64_t {}_{}_shape{}[] = {};\n", prefix, name,
                        i, list(type.getShape()));
      rows += fmt::format("  {{\"{}\", {}, {}, {}_{}_shape{}, {}}},\n",
                          nameOf(op), dtypeCode(type.getElementType()),
                          type.getRank(), prefix, name, i, offsetOf(op));
    }
    os << fmt::format("const ClipTensorDesc {}_{}[] = {{\n{}  {{}}}};\n",
                      prefix, name, rows);
  };
  tensorTable("params", names.params(), [](auto p) { return p.getName().str(); },
              [](auto) { return int64_t{-1}; });
  tensorTable("inputs", names.inputs(), [](auto p) { return p.getName().str(); },
              [](auto) { return int64_t{-1}; });

  // Outputs: the arena offset of the buffer they name (through views).
  std::vector<kernel::OutputOp> outputs(func.getOps<kernel::OutputOp>().begin(),
                                        func.getOps<kernel::OutputOp>().end());
  std::vector<int64_t> offsets;
  for (kernel::OutputOp output : outputs) {
    FailureOr<BufferRef> where = names.reference(output.getBuffer());
    offsets.push_back(succeeded(where) && where->space == BufferRef::Arena
                          ? where->byteOffset
                          : -1);
  }
  std::string rows;
  for (auto [i, output] : llvm::enumerate(outputs)) {
    auto type = cast<MemRefType>(output.getBuffer().getType());
    os << fmt::format("const int64_t {}_outputs_shape{}[] = {};\n", prefix, i,
                      list(type.getShape()));
    rows += fmt::format("  {{\"{}\", {}, {}, {}_outputs_shape{}, {}}},\n",
                        output.getName().str(),
                        dtypeCode(type.getElementType()), type.getRank(),
                        prefix, i, offsets[i]);
  }
  os << fmt::format("const ClipTensorDesc {}_outputs[] = {{\n{}  {{}}}};\n",
                    prefix, rows);

  std::string kernelRows;
  for (kernel::LaunchOp launch : func.getOps<kernel::LaunchOp>())
    kernelRows += fmt::format("  {{\"{}\", \"{}\"}},\n",
                              launch.getSymName().str(),
                              launch.getKind().str());
  os << fmt::format("const ClipKernelDesc {}_kernels[] = {{\n{}  {{}}}};\n",
                    prefix, kernelRows);
  if (cuda)
    emitCudaTables(*cuda);
}

void FunctionEmitter::emitCudaTables(const CudaFunction &cuda) {
  // The source in raw-string chunks (one literal per chunk keeps every
  // compiler's literal-length limit happy).
  os << fmt::format("const char {}_cuda[] =\n", prefix);
  constexpr size_t chunk = 12000;
  for (size_t at = 0; at < cuda.source.size(); at += chunk)
    os << "R\"clipcuda(" << cuda.source.substr(at, chunk) << ")clipcuda\"\n";
  os << ";\n";
  auto ref = [](const BufferRef &r) {
    return fmt::format("{{{}, {}, {}}}", static_cast<int>(r.space), r.index,
                       r.byteOffset);
  };
  std::string rows;
  for (const CudaStep &step : cuda.steps) {
    const CudaGemm &g = step.gemm;
    rows += fmt::format(
        "  {{{}, \"{}\", \"{}\", {}, {}, {}, {}, {{{}, {}, {}, {}, {}, {}, {}, "
        "{}, {}, {}, {}, {}, {}, {}}}}},\n",
        static_cast<int>(step.kind), step.launch, step.kernel, step.grid,
        step.block, step.errorSlot, step.errorBound, g.shape.batch, g.shape.m,
        g.shape.n, g.shape.k, g.transposeA, g.transposeB, ref(g.a), ref(g.b),
        ref(g.c), ref(g.bias), ref(g.residual), g.shape.strideA,
        g.shape.strideB, g.shape.strideC);
  }
  os << fmt::format("const ClipCudaStep {}_cuda_steps[] = {{\n{}  {{}}}};\n",
                    prefix, rows);
}

/// The descriptor row of one function in the library's table.
std::string functionRow(func::FuncOp func, size_t params, size_t inputs,
                        size_t outputs, size_t kernels, bool cpu,
                        const CudaFunction *cuda) {
  auto attr = [&](StringRef name) {
    auto value = func->getAttrOfType<IntegerAttr>(name);
    return value ? value.getInt() : int64_t{0};
  };
  const std::string p = func.getSymName().str();
  return fmt::format(
      "  {{\"{0}\", {1}, {2}, {3}, {4}, {5}, {6}, {7}, {0}_params, "
      "{0}_inputs, {0}_outputs, {0}_kernels, {8}, {9}, {10}, {11}, {12}}},\n",
      p, attr("kernel.arena_bytes"), attr("kernel.buffer_bytes"),
      attr("kernel.peak_live_bytes"), params, inputs, outputs, kernels,
      cpu ? "run_" + p : "nullptr", cuda ? p + "_cuda" : "nullptr",
      cuda ? cuda->steps.size() : 0, cuda ? cuda->errorSlots : 0,
      cuda ? p + "_cuda_steps" : "nullptr");
}

} // namespace

namespace mlir::clip::codegen {

LogicalResult emitLibrarySource(ModuleOp module, const LibraryInfo &info,
                                llvm::raw_ostream &os) {
  os << "// Generated by clipc from " << info.model << ". Do not edit.\n"
     << "#include \"runtime/abi/ClipLibrary.h\"\n"
     << "#include \"runtime/cpu/CpuKernels.h\"\n"
     << "#include \"runtime/kernels/ScalarMath.h\"\n"
     << "#include <cmath>\n#include <cstdint>\n#include <cstdio>\n\n"
     << "namespace {\n\n";
  std::string rows;
  size_t count = 0;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    FailureOr<BufferNames> names = BufferNames::build(func);
    if (failed(names))
      return failure();
    std::optional<CudaFunction> cuda;
    if (info.cuda) {
      FailureOr<CudaFunction> unit = emitCudaFunction(func, *names);
      if (failed(unit) ||
          (info.checkCuda && failed(info.checkCuda(func, *unit))))
        return failure();
      cuda = std::move(*unit);
    }
    FunctionEmitter emitter(func, std::move(*names), os);
    if (info.cpu && failed(emitter.emitCode()))
      return failure();
    emitter.emitTables(cuda ? &*cuda : nullptr);
    auto countOf = [&](auto range) {
      return static_cast<size_t>(std::distance(range.begin(), range.end()));
    };
    llvm::StringSet<> paramNames, inputNames;
    for (auto p : func.getOps<kernel::ParamOp>())
      paramNames.insert(p.getName());
    for (auto p : func.getOps<kernel::InputOp>())
      inputNames.insert(p.getName());
    rows += functionRow(func, paramNames.size(), inputNames.size(),
                        countOf(func.getOps<kernel::OutputOp>()),
                        countOf(func.getOps<kernel::LaunchOp>()), info.cpu,
                        cuda ? &*cuda : nullptr);
    ++count;
  }
  os << fmt::format("\nconst ClipFunctionDesc functions[] = {{\n{}  {{}}}};\n",
                    rows);
  os << fmt::format(
      "const ClipLibraryDesc library = {{CLIP_LIBRARY_MAGIC, "
      "CLIP_LIBRARY_ABI_VERSION, \"{}\", \"{}\", {}, {}, functions, "
      "CLIP_CPU_ISA, clip::cpu::selfCheck}};\n\n",
      info.model, info.remat, info.batchSize, count);
  os << "} // namespace\n\n"
     << "extern \"C\" __attribute__((visibility(\"default\"))) const "
        "ClipLibraryDesc *clip_library(void) {\n  return &library;\n}\n";
  return success();
}

} // namespace mlir::clip::codegen
