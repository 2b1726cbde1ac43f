//===- Evaluator.cpp - Reference evaluator of clip graphs -----------------===//
#include "compiler/Reference/Evaluator.h"

#include "clip/IR/ClipOps.h"
#include "compiler/Reference/Kernels.h"
#include "runtime/kernels/ScalarMath.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

namespace mlir::clip::reference {

double roundToType(double value, Type type) {
  if (type.isF32())
    return static_cast<double>(static_cast<float>(value));
  if (auto floatType = dyn_cast<FloatType>(type); floatType && !type.isF64()) {
    llvm::APFloat v(value);
    bool losesInfo = false;
    v.convert(floatType.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
              &losesInfo);
    v.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
              &losesInfo);
    return v.convertToDouble();
  }
  return value;
}

Tensor tensorFromAttr(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  std::vector<double> data;
  data.reserve(type.getNumElements());
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (isa<FloatType>(type.getElementType())) {
      for (const llvm::APFloat &v : dense.getValues<llvm::APFloat>()) {
        llvm::APFloat d = v;
        bool losesInfo = false;
        d.convert(llvm::APFloat::IEEEdouble(),
                  llvm::APFloat::rmNearestTiesToEven, &losesInfo);
        data.push_back(d.convertToDouble());
      }
    } else {
      const bool isBool = type.getElementType().isInteger(1);
      for (const llvm::APInt &v : dense.getValues<llvm::APInt>())
        data.push_back(isBool ? static_cast<double>(v.getBoolValue())
                              : static_cast<double>(v.getSExtValue()));
    }
  }
  return Tensor(type.getShape(), std::move(data));
}

DenseElementsAttr tensorToAttr(const Tensor &tensor, RankedTensorType type) {
  Type elementType = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    llvm::SmallVector<llvm::APFloat> values;
    for (double v : tensor.data) {
      llvm::APFloat f(v);
      bool losesInfo = false;
      f.convert(floatType.getFloatSemantics(),
                llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      values.push_back(f);
    }
    return DenseElementsAttr::get(type, values);
  }
  const unsigned width = elementType.getIntOrFloatBitWidth();
  llvm::SmallVector<llvm::APInt> values;
  for (double v : tensor.data)
    values.push_back(width == 1 ? llvm::APInt(1, v != 0.0)
                                : llvm::APInt(width, static_cast<int64_t>(v),
                                              /*isSigned=*/true));
  return DenseElementsAttr::get(type, values);
}

namespace {

/// Evaluates one function body; calls recurse through a fresh instance.
class FunctionEvaluator {
public:
  FunctionEvaluator(const Bindings &bindings, const EvaluateOptions &options)
      : bindings(bindings), options(options) {}

  FailureOr<llvm::SmallVector<Tensor>> run(func::FuncOp func,
                                           llvm::ArrayRef<Tensor> args);

private:
  LogicalResult evaluateOp(Operation *op);
  const Tensor &valueOf(Value v) const { return values.find(v)->second; }
  void define(Value v, Tensor t) {
    if (options.precision == Precision::AsDeclared) {
      Type elementType = cast<ShapedType>(v.getType()).getElementType();
      for (double &x : t.data)
        x = roundToType(x, elementType);
    }
    values[v] = std::move(t);
  }
  void defineAll(ValueRange results, std::initializer_list<Tensor *> tensors) {
    for (auto [v, t] : llvm::zip(results, tensors))
      define(v, std::move(*t));
  }
  LogicalResult bind(Operation *op, Value result, llvm::StringRef kind,
                     llvm::StringRef name, const llvm::StringMap<Tensor> &map);

  const Bindings &bindings;
  const EvaluateOptions &options;
  llvm::DenseMap<Value, Tensor> values;
};

llvm::ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s.empty() ? "scalar" : s.substr(0, s.size() - 1);
}

LogicalResult FunctionEvaluator::bind(Operation *op, Value result,
                                      llvm::StringRef kind,
                                      llvm::StringRef name,
                                      const llvm::StringMap<Tensor> &map) {
  auto it = map.find(name);
  if (it == map.end())
    return op->emitError() << "no tensor is bound to " << kind << " '" << name
                           << "'";
  if (llvm::ArrayRef<int64_t>(it->second.shape) != shapeOf(result))
    return op->emitError() << kind << " '" << name << "' is declared "
                           << formatShape(shapeOf(result))
                           << " but the bound tensor is "
                           << formatShape(it->second.shape);
  define(result, it->second);
  return success();
}

double compare(ComparePredicate predicate, double a, double b) {
  switch (predicate) {
  case ComparePredicate::eq:
    return a == b;
  case ComparePredicate::ne:
    return a != b;
  case ComparePredicate::lt:
    return a < b;
  case ComparePredicate::le:
    return a <= b;
  case ComparePredicate::gt:
    return a > b;
  case ComparePredicate::ge:
    return a >= b;
  }
  return 0.0;
}

/// The scalar function of a GEMM epilogue's activation (null for none).
double (*activationFunction(Activation activation))(double) {
  switch (activation) {
  case Activation::none:
    return nullptr;
  case Activation::gelu:
    return gelu;
  case Activation::gelu_tanh:
    return geluTanh;
  case Activation::quick_gelu:
    return quickGelu;
  }
  return nullptr;
}

double castElement(double x, Type from, Type to) {
  if (to.isInteger(1))
    return x != 0.0;
  if (isa<IntegerType>(to) && isa<FloatType>(from))
    return std::trunc(x);
  return roundToType(x, to);
}

FailureOr<llvm::SmallVector<Tensor>>
FunctionEvaluator::run(func::FuncOp func, llvm::ArrayRef<Tensor> args) {
  if (func.isExternal())
    return func.emitError()
           << "cannot evaluate external function @" << func.getSymName();
  Block &body = func.getBody().front();
  if (args.size() != body.getNumArguments())
    return func.emitError()
           << "@" << func.getSymName() << " takes " << body.getNumArguments()
           << " arguments, given " << args.size();
  for (auto [index, arg] : llvm::enumerate(body.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape())
      return func.emitError()
             << "argument #" << index
             << " needs a static shape for the reference evaluator; "
                "specialize the batch first (--clip-specialize-batch)";
    if (llvm::ArrayRef<int64_t>(args[index].shape) != type.getShape())
      return func.emitError() << "argument #" << index << " is declared "
                              << formatShape(type.getShape()) << " but given "
                              << formatShape(args[index].shape);
    define(arg, args[index]);
  }
  for (Operation &op : body.without_terminator())
    if (failed(evaluateOp(&op)))
      return failure();
  llvm::SmallVector<Tensor> results;
  for (Value v : body.getTerminator()->getOperands())
    results.push_back(valueOf(v));
  return results;
}

LogicalResult FunctionEvaluator::evaluateOp(Operation *op) {
  for (Value result : op->getResults()) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!type || !type.hasStaticShape())
      return op->emitError()
             << "result needs a static shape for the reference evaluator; "
                "specialize the batch first "
                "(--clip-specialize-batch)";
  }
  auto unary = [&](Value in, Value out, double (*fn)(double)) {
    define(out, mapElements(valueOf(in), fn));
    return success();
  };
  auto binary = [&](Operation *op, auto fn) {
    define(op->getResult(0),
           zipElements(valueOf(op->getOperand(0)), valueOf(op->getOperand(1)),
                       shapeOf(op->getResult(0)), fn));
    return success();
  };
  auto reduction = [&](auto reduceOp, Reduction kind) {
    define(reduceOp.getResult(),
           reduce(valueOf(reduceOp.getInput()), reduceOp.getAxes(),
                  reduceOp.getKeepdims(), kind));
    return success();
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ParamOp p) -> LogicalResult {
        return bind(op, p.getResult(), "parameter", p.getName(),
                    bindings.params);
      })
      .Case([&](InputOp p) -> LogicalResult {
        return bind(op, p.getResult(), "input", p.getName(), bindings.inputs);
      })
      .Case([&](ConstantOp c) -> LogicalResult {
        auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
        if (!dense)
          return c.emitError() << "only dense constants can be evaluated";
        define(c.getResult(), tensorFromAttr(dense));
        return success();
      })
      .Case([&](IotaOp i) -> LogicalResult {
        define(i.getResult(), iota(shapeOf(i.getResult()), i.getDim()));
        return success();
      })
      .Case([&](CausalMaskOp m) -> LogicalResult {
        auto type = cast<RankedTensorType>(m.getResult().getType());
        define(m.getResult(),
               causalMask(type.getShape(), type.getElementType().isInteger(1)));
        return success();
      })
      .Case([&](NegOp o) -> LogicalResult {
        return unary(o.getInput(), o.getResult(), [](double x) { return -x; });
      })
      .Case([&](ExpOp o) -> LogicalResult {
        return unary(o.getInput(), o.getResult(),
                     [](double x) { return std::exp(x); });
      })
      .Case([&](LogOp o) -> LogicalResult {
        return unary(o.getInput(), o.getResult(),
                     [](double x) { return std::log(x); });
      })
      .Case([&](SqrtOp o) -> LogicalResult {
        return unary(o.getInput(), o.getResult(),
                     [](double x) { return std::sqrt(x); });
      })
      .Case([&](RsqrtOp o) -> LogicalResult {
        return unary(o.getInput(), o.getResult(),
                     [](double x) { return 1.0 / std::sqrt(x); });
      })
      .Case([&](TanhOp o) -> LogicalResult {
        return unary(o.getInput(), o.getResult(),
                     [](double x) { return std::tanh(x); });
      })
      .Case([&](SigmoidOp o) -> LogicalResult {
        return unary(o.getInput(), o.getResult(), sigmoid);
      })
      .Case([&](ErfOp o) -> LogicalResult {
        return unary(o.getInput(), o.getResult(),
                     [](double x) { return std::erf(x); });
      })
      .Case([&](GeluOp o) -> LogicalResult {
        switch (o.getApproximation()) {
        case GeluApproximation::none:
          return unary(o.getInput(), o.getResult(), gelu);
        case GeluApproximation::tanh:
          return unary(o.getInput(), o.getResult(), geluTanh);
        case GeluApproximation::quick:
          return unary(o.getInput(), o.getResult(), quickGelu);
        }
        return failure();
      })
      .Case([&](CastOp c) -> LogicalResult {
        Type from = cast<ShapedType>(c.getInput().getType()).getElementType();
        Type to = cast<ShapedType>(c.getResult().getType()).getElementType();
        define(c.getResult(), mapElements(valueOf(c.getInput()), [&](double x) {
                 return castElement(x, from, to);
               }));
        return success();
      })
      .Case([&](AddOp o) { return binary(o, std::plus<double>()); })
      .Case([&](SubOp o) { return binary(o, std::minus<double>()); })
      .Case([&](MulOp o) { return binary(o, std::multiplies<double>()); })
      .Case([&](DivOp o) -> LogicalResult {
        // Integer division truncates toward zero, as arith.divsi.
        bool isInt = isa<IntegerType>(
            cast<ShapedType>(o.getResult().getType()).getElementType());
        return binary(o, [isInt](double a, double b) {
          return isInt ? std::trunc(a / b) : a / b;
        });
      })
      .Case([&](MaxOp o) -> LogicalResult { return binary(o, maxOf); })
      .Case([&](MinOp o) -> LogicalResult { return binary(o, minOf); })
      .Case([&](CmpOp o) -> LogicalResult {
        ComparePredicate predicate = o.getPredicate();
        return binary(o, [predicate](double a, double b) {
          return compare(predicate, a, b);
        });
      })
      .Case([&](DropoutOp d) -> LogicalResult {
        // The mask is the kernels' (one definition, runtime/kernels); the
        // scaling is this evaluator's own arithmetic.
        const Tensor &x = valueOf(d.getInput());
        const double seed = valueOf(d.getSeed()).data.at(0);
        const float rate = static_cast<float>(d.getRate().convertToDouble());
        Tensor out = Tensor::filled(x.shape);
        for (size_t e = 0; e < x.data.size(); ++e)
          out.data[e] = ::clip::scalar::dropoutKeeps(
                            static_cast<long long>(seed), d.getStream(),
                            static_cast<long long>(e), rate)
                            ? x.data[e] / (1.0 - double(rate))
                            : 0.0;
        define(d.getResult(), std::move(out));
        return success();
      })
      .Case([&](SelectOp s) -> LogicalResult {
        define(s.getResult(),
               select(valueOf(s.getCondition()), valueOf(s.getOnTrue()),
                      valueOf(s.getOnFalse()), shapeOf(s.getResult())));
        return success();
      })
      .Case([&](MatmulOp m) -> LogicalResult {
        define(m.getResult(), matmul(valueOf(m.getLhs()), valueOf(m.getRhs()),
                                     m.getTransposeLhs(), m.getTransposeRhs(),
                                     shapeOf(m.getResult())));
        return success();
      })
      .Case([&](ReduceSumOp r) { return reduction(r, Reduction::Sum); })
      .Case([&](ReduceMeanOp r) { return reduction(r, Reduction::Mean); })
      .Case([&](ReduceMaxOp r) { return reduction(r, Reduction::Max); })
      .Case([&](ArgmaxOp a) -> LogicalResult {
        define(a.getResult(),
               argmax(valueOf(a.getInput()), a.getAxis(), a.getKeepdims()));
        return success();
      })
      .Case([&](SoftmaxOp s) -> LogicalResult {
        define(s.getResult(), softmax(valueOf(s.getInput()), s.getAxis(),
                                      /*log=*/false));
        return success();
      })
      .Case([&](LogSoftmaxOp s) -> LogicalResult {
        define(s.getResult(), softmax(valueOf(s.getInput()), s.getAxis(),
                                      /*log=*/true));
        return success();
      })
      .Case([&](ReshapeOp r) -> LogicalResult {
        define(r.getResult(),
               reshape(valueOf(r.getInput()), shapeOf(r.getResult())));
        return success();
      })
      .Case([&](TransposeOp t) -> LogicalResult {
        define(t.getResult(),
               transpose(valueOf(t.getInput()), t.getPermutation()));
        return success();
      })
      .Case([&](BroadcastOp b) -> LogicalResult {
        define(b.getResult(),
               broadcastTo(valueOf(b.getInput()), shapeOf(b.getResult())));
        return success();
      })
      .Case([&](ConcatOp c) -> LogicalResult {
        llvm::SmallVector<const Tensor *> inputs;
        for (Value v : c.getInputs())
          inputs.push_back(&valueOf(v));
        define(c.getResult(), concat(inputs, c.getAxis()));
        return success();
      })
      .Case([&](SliceOp s) -> LogicalResult {
        define(s.getResult(), slice(valueOf(s.getInput()), s.getAxis(),
                                    s.getStart(), s.getEnd(), s.getStep()));
        return success();
      })
      .Case([&](GatherOp g) -> LogicalResult {
        std::string error;
        std::optional<Tensor> out =
            gather(valueOf(g.getInput()), valueOf(g.getIndices()), g.getAxis(),
                   g.getBatchDims(), error);
        if (!out)
          return g.emitError() << error;
        define(g.getResult(), std::move(*out));
        return success();
      })
      .Case([&](Conv2DOp c) {
        llvm::SmallVector<int64_t, 2> dilation{1, 1};
        if (auto d = c.getDilation())
          dilation.assign(d->begin(), d->end());
        define(c.getResult(),
               conv2d(valueOf(c.getInput()), valueOf(c.getWeight()),
                      c.getBias() ? &valueOf(c.getBias()) : nullptr,
                      c.getStride(), c.getPadding(), dilation, c.getGroups()));
        return success();
      })
      .Case([&](AvgPool2DOp p) {
        define(p.getResult(), avgPool2d(valueOf(p.getInput()), p.getKernel(),
                                        p.getStride(), p.getPadding()));
        return success();
      })
      .Case([&](BatchNormOp b) -> LogicalResult {
        define(b.getResult(),
               batchNorm(valueOf(b.getInput()), valueOf(b.getScale()),
                         valueOf(b.getBias()), valueOf(b.getRunningMean()),
                         valueOf(b.getRunningVar()),
                         b.getEpsilon().convertToDouble()));
        return success();
      })
      .Case([&](BatchNormTrainOp b) -> LogicalResult {
        BatchNormTrainResult r = batchNormTrain(
            valueOf(b.getInput()), valueOf(b.getScale()), valueOf(b.getBias()),
            valueOf(b.getRunningMean()), valueOf(b.getRunningVar()),
            b.getEpsilon().convertToDouble(),
            b.getMomentum().convertToDouble());
        define(b.getResult(), std::move(r.output));
        define(b.getNewRunningMean(), std::move(r.runningMean));
        define(b.getNewRunningVar(), std::move(r.runningVar));
        if (options.updatedRunningStats) {
          // Report the statistics under the parameter names they replace.
          auto report = [&](Value old, Value updated) {
            if (auto param = old.getDefiningOp<ParamOp>())
              (*options.updatedRunningStats)[param.getName()] =
                  valueOf(updated);
          };
          report(b.getRunningMean(), b.getNewRunningMean());
          report(b.getRunningVar(), b.getNewRunningVar());
        }
        return success();
      })
      .Case([&](LayerNormOp ln) -> LogicalResult {
        LayerNormResult r =
            layerNorm(valueOf(ln.getInput()), valueOf(ln.getWeight()),
                      valueOf(ln.getBias()), ln.getEpsilon().convertToDouble());
        defineAll(ln->getResults(), {&r.output, &r.mean, &r.rstd});
        return success();
      })
      .Case([&](AddLayerNormOp ln) -> LogicalResult {
        Tensor sum =
            zipElements(valueOf(ln.getInput()), valueOf(ln.getResidual()),
                        shapeOf(ln.getSum()), std::plus<double>());
        define(ln.getSum(), sum);
        // The normalization reads the sum as stored (rounded to its type).
        LayerNormResult r =
            layerNorm(valueOf(ln.getSum()), valueOf(ln.getWeight()),
                      valueOf(ln.getBias()), ln.getEpsilon().convertToDouble());
        defineAll(ln->getResults().drop_front(), {&r.output, &r.mean, &r.rstd});
        return success();
      })
      .Case([&](AttentionOp a) -> LogicalResult {
        AttentionResult r = attention(
            valueOf(a.getQuery()), valueOf(a.getKey()), valueOf(a.getValue()),
            a.getScale().convertToDouble(), a.getCausal());
        defineAll(a->getResults(), {&r.output, &r.lse});
        return success();
      })
      .Case([&](ContrastiveLossOp c) -> LogicalResult {
        ContrastiveLossResult r =
            contrastiveLoss(valueOf(c.getImage()), valueOf(c.getText()),
                            valueOf(c.getLogitScale()).data[0],
                            c.getEpsilon().convertToDouble());
        defineAll(c->getResults(), {&r.loss, &r.imageNorm, &r.textNorm,
                                    &r.imageLse, &r.textLse});
        return success();
      })
      .Case([&](SigmoidLossOp c) -> LogicalResult {
        SigmoidLossResult r = sigmoidLoss(
            valueOf(c.getImage()), valueOf(c.getText()),
            valueOf(c.getLogitScale()).data[0],
            valueOf(c.getLogitBias()).data[0], c.getEpsilon().convertToDouble());
        defineAll(c->getResults(), {&r.loss, &r.imageNorm, &r.textNorm});
        return success();
      })
      .Case([&](GemmOp g) -> LogicalResult {
        // The epilogue works on the unrounded product, as a fused kernel does.
        Tensor out = matmul(valueOf(g.getLhs()), valueOf(g.getRhs()),
                            g.getTransposeLhs(), g.getTransposeRhs(),
                            shapeOf(g.getResult()));
        if (Value bias = g.getBias())
          out = zipElements(out, valueOf(bias), out.shape, std::plus<double>());
        if (double (*fn)(double) = activationFunction(g.getActivation()))
          out = mapElements(out, fn);
        if (Value residual = g.getResidual())
          out = zipElements(out, valueOf(residual), out.shape,
                            std::plus<double>());
        define(g.getResult(), std::move(out));
        return success();
      })
      .Case([&](ElementwiseOp e) -> LogicalResult {
        Block &body = e.getBody().front();
        for (auto [arg, input] : llvm::zip(body.getArguments(), e.getInputs()))
          define(arg, valueOf(input));
        for (Operation &inner : body.without_terminator())
          if (failed(evaluateOp(&inner)))
            return failure();
        for (auto [result, yielded] :
             llvm::zip(e.getResults(), body.getTerminator()->getOperands()))
          define(result, valueOf(yielded));
        return success();
      })
      .Case([&](GeluGradOp o) -> LogicalResult {
        double (*derivative)(double) =
            o.getApproximation() == GeluApproximation::none ? geluDerivative
            : o.getApproximation() == GeluApproximation::tanh
                ? geluTanhDerivative
                : quickGeluDerivative;
        define(o.getResult(),
               zipElements(valueOf(o.getInput()), valueOf(o.getGrad()),
                           shapeOf(o.getResult()), [&](double x, double g) {
                             return g * derivative(x);
                           }));
        return success();
      })
      .Case([&](SliceGradOp s) -> LogicalResult {
        define(s.getResult(),
               sliceGrad(valueOf(s.getGrad()), shapeOf(s.getResult()),
                         s.getAxis(), s.getStart(), s.getStep()));
        return success();
      })
      .Case([&](GatherGradOp g) -> LogicalResult {
        std::string error;
        std::optional<Tensor> out = gatherGrad(
            valueOf(g.getGrad()), valueOf(g.getIndices()),
            shapeOf(g.getResult()), g.getAxis(), g.getBatchDims(), error);
        if (!out)
          return g.emitError() << error;
        define(g.getResult(), std::move(*out));
        return success();
      })
      .Case([&](LayerNormGradOp o) -> LogicalResult {
        LayerNormGradResult r = layerNormGrad(
            valueOf(o.getGrad()), valueOf(o.getInput()), valueOf(o.getMean()),
            valueOf(o.getRstd()), valueOf(o.getWeight()));
        defineAll(o->getResults(), {&r.inputGrad, &r.weightGrad, &r.biasGrad});
        return success();
      })
      .Case([&](AttentionGradOp o) -> LogicalResult {
        AttentionGradResult r = attentionGrad(
            valueOf(o.getGrad()), valueOf(o.getQuery()), valueOf(o.getKey()),
            valueOf(o.getValue()), valueOf(o.getOutput()), valueOf(o.getLse()),
            o.getScale().convertToDouble(), o.getCausal());
        defineAll(o->getResults(), {&r.queryGrad, &r.keyGrad, &r.valueGrad});
        return success();
      })
      .Case([&](ContrastiveLossGradOp o) -> LogicalResult {
        ContrastiveLossGradResult r = contrastiveLossGrad(
            valueOf(o.getGrad()).data[0], valueOf(o.getImage()),
            valueOf(o.getText()), valueOf(o.getLogitScale()).data[0],
            valueOf(o.getImageNorm()), valueOf(o.getTextNorm()),
            valueOf(o.getImageLse()), valueOf(o.getTextLse()),
            o.getEpsilon().convertToDouble());
        defineAll(o->getResults(),
                  {&r.imageGrad, &r.textGrad, &r.logitScaleGrad});
        return success();
      })
      .Case([&](SigmoidLossGradOp o) -> LogicalResult {
        SigmoidLossGradResult r = sigmoidLossGrad(
            valueOf(o.getGrad()).data[0], valueOf(o.getImage()),
            valueOf(o.getText()), valueOf(o.getLogitScale()).data[0],
            valueOf(o.getLogitBias()).data[0], valueOf(o.getImageNorm()),
            valueOf(o.getTextNorm()), o.getEpsilon().convertToDouble());
        defineAll(o->getResults(), {&r.imageGrad, &r.textGrad,
                                    &r.logitScaleGrad, &r.logitBiasGrad});
        return success();
      })
      .Case([&](Conv2DGradOp c) -> LogicalResult {
        llvm::SmallVector<int64_t, 2> dilation{1, 1};
        if (auto d = c.getDilation())
          dilation.assign(d->begin(), d->end());
        Conv2DGradResult r = conv2dGrad(
            valueOf(c.getGrad()), valueOf(c.getInput()), valueOf(c.getWeight()),
            c.getStride(), c.getPadding(), dilation, c.getGroups());
        defineAll(c->getResults(), {&r.inputGrad, &r.weightGrad});
        return success();
      })
      .Case([&](AvgPool2DGradOp p) -> LogicalResult {
        define(p.getResult(),
               avgPool2dGrad(valueOf(p.getGrad()), shapeOf(p.getResult()),
                             p.getKernel(), p.getStride(), p.getPadding()));
        return success();
      })
      .Case([&](func::CallOp call) -> LogicalResult {
        auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
            call, call.getCalleeAttr());
        if (!callee)
          return call.emitError() << "unknown callee @" << call.getCallee();
        llvm::SmallVector<Tensor> args;
        for (Value v : call.getOperands())
          args.push_back(valueOf(v));
        FunctionEvaluator nested(bindings, options);
        FailureOr<llvm::SmallVector<Tensor>> results = nested.run(callee, args);
        if (failed(results))
          return call.emitError() << "in the call to @" << call.getCallee();
        for (auto [value, tensor] : llvm::zip(call.getResults(), *results))
          define(value, std::move(tensor));
        return success();
      })
      .Default([](Operation *op) {
        return op->emitError() << "the reference evaluator does not know '"
                               << op->getName() << "'";
      });
}

} // namespace

FailureOr<llvm::SmallVector<Tensor>> evaluate(func::FuncOp func,
                                              llvm::ArrayRef<Tensor> args,
                                              const Bindings &bindings,
                                              const EvaluateOptions &options) {
  return FunctionEvaluator(bindings, options).run(func, args);
}

} // namespace mlir::clip::reference
