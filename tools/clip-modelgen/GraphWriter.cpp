//===- GraphWriter.cpp - Writes readable clip-dialect functions -----------===//
#include "GraphWriter.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace clip::modelgen {

namespace {

std::string dimText(int64_t d) { return d == kBatch ? "?" : std::to_string(d); }

std::string list(const std::vector<int64_t> &values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

[[noreturn]] void shapeError(const std::string &what) {
  throw std::logic_error("model generator shape error: " + what);
}

/// NumPy broadcasting of two shapes (kBatch broadcasts like any non-1 dim).
Shape broadcastShapes(const Shape &a, const Shape &b) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    int64_t d;
    if (da == db || db == 1)
      d = da;
    else if (da == 1)
      d = db;
    else
      shapeError(fmt::format("cannot broadcast dims {} and {}", da, db));
    out[out.size() - 1 - i] = d;
  }
  return out;
}

std::string formatDouble(double v) { return fmt::format("{:e}", v); }

} // namespace

std::string tensorType(const Shape &shape, const std::string &element) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += dimText(d) + "x";
  return s + element + ">";
}
std::string tensorType(const Value &v) {
  return tensorType(v.shape, v.element);
}

FunctionWriter::FunctionWriter(std::string name, bool isPublic,
                               std::string comment)
    : name_(std::move(name)), comment_(std::move(comment)),
      isPublic_(isPublic) {}

Value FunctionWriter::fresh(const std::string &name, Shape shape,
                            std::string element) {
  std::string unique = name;
  for (int i = 1; used_.count(unique); ++i)
    unique = fmt::format("{}_{}", name, i);
  used_.insert(unique);
  return Value{"%" + unique, std::move(shape), std::move(element)};
}

void FunctionWriter::line(const std::string &text) { body_.push_back(text); }
void FunctionWriter::comment(const std::string &text) { line("// " + text); }
void FunctionWriter::blank() { line(""); }

Value FunctionWriter::argument(const std::string &name, Shape shape,
                               std::string element) {
  Value v = fresh(name, std::move(shape), std::move(element));
  arguments_.push_back(v);
  return v;
}

Value FunctionWriter::param(const std::string &name, const std::string &key,
                            Shape shape, bool frozen) {
  Value v = fresh(name, std::move(shape), "f32");
  line(fmt::format("{} = clip.param \"{}\"{} : {}", v.name, key,
                   frozen ? " frozen" : "", tensorType(v)));
  return v;
}

Value FunctionWriter::input(const std::string &name, const std::string &key,
                            Shape shape, std::string element) {
  Value v = fresh(name, std::move(shape), std::move(element));
  line(fmt::format("{} = clip.input \"{}\" : {}", v.name, key, tensorType(v)));
  return v;
}

Value FunctionWriter::scalar(const std::string &name, double value) {
  Value v = fresh(name, {}, "f32");
  line(fmt::format("{} = clip.constant dense<{}> : {}", v.name,
                   formatDouble(value), tensorType(v)));
  return v;
}

Value FunctionWriter::causalMask(const std::string &name, Shape shape) {
  Value v = fresh(name, std::move(shape), "f32");
  line(fmt::format("{} = clip.causal_mask : {}", v.name, tensorType(v)));
  return v;
}

Value FunctionWriter::iota(const std::string &name, Shape shape, int64_t dim,
                           std::string element) {
  Value v = fresh(name, std::move(shape), std::move(element));
  line(fmt::format("{} = clip.iota dim {} : {}", v.name, dim, tensorType(v)));
  return v;
}

Value FunctionWriter::unary(const std::string &op, const std::string &name,
                            const Value &x, const std::string &attrs) {
  Value v = fresh(name, x.shape, x.element);
  line(fmt::format("{} = clip.{} {}{} : {}", v.name, op, x.name,
                   attrs.empty() ? "" : " " + attrs, tensorType(x)));
  return v;
}

Value FunctionWriter::binary(const std::string &op, const std::string &name,
                             const Value &a, const Value &b) {
  Value v = fresh(name, broadcastShapes(a.shape, b.shape), a.element);
  if (a.shape == b.shape)
    line(fmt::format("{} = clip.{} {}, {} : {}", v.name, op, a.name, b.name,
                     tensorType(v)));
  else
    line(fmt::format("{} = clip.{} {}, {} : ({}, {}) -> {}", v.name, op, a.name,
                     b.name, tensorType(a), tensorType(b), tensorType(v)));
  return v;
}

Value FunctionWriter::matmul(const std::string &name, const Value &a,
                             const Value &b, bool transposeA, bool transposeB) {
  const size_t ra = a.shape.size(), rb = b.shape.size();
  const int64_t m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const int64_t ka = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const int64_t kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const int64_t n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (ka != kb)
    shapeError(
        fmt::format("matmul {}: contracting dims {} and {}", name, ka, kb));
  Shape shape = broadcastShapes(Shape(a.shape.begin(), a.shape.end() - 2),
                                Shape(b.shape.begin(), b.shape.end() - 2));
  shape.push_back(m);
  shape.push_back(n);
  Value v = fresh(name, shape, a.element);
  line(fmt::format("{} = clip.matmul {}, {}{}{} : ({}, {}) -> {}", v.name,
                   a.name, b.name, transposeA ? " transpose_lhs" : "",
                   transposeB ? " transpose_rhs" : "", tensorType(a),
                   tensorType(b), tensorType(v)));
  return v;
}

Value FunctionWriter::reduce(const std::string &op, const std::string &name,
                             const Value &x, std::vector<int64_t> axes,
                             bool keepdims) {
  Shape shape;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(),
                                   static_cast<int64_t>(d)) != axes.end();
    if (!reduced)
      shape.push_back(x.shape[d]);
    else if (keepdims)
      shape.push_back(1);
  }
  Value v = fresh(name, shape, x.element);
  line(fmt::format("{} = clip.{} {} axes {}{} : {} -> {}", v.name, op, x.name,
                   list(axes), keepdims ? " keepdims" : "", tensorType(x),
                   tensorType(v)));
  return v;
}

Value FunctionWriter::argmax(const std::string &name, const Value &x,
                             int64_t axis) {
  Shape shape = x.shape;
  shape.erase(shape.begin() + axis);
  Value v = fresh(name, shape, "i64");
  line(fmt::format("{} = clip.argmax {} axis {} : {} -> {}", v.name, x.name,
                   axis, tensorType(x), tensorType(v)));
  return v;
}

Value FunctionWriter::softmax(const std::string &op, const std::string &name,
                              const Value &x, int64_t axis) {
  Value v = fresh(name, x.shape, x.element);
  line(fmt::format("{} = clip.{} {} axis {} : {}", v.name, op, x.name, axis,
                   tensorType(x)));
  return v;
}

Value FunctionWriter::reshape(const std::string &name, const Value &x,
                              Shape shape) {
  Value v = fresh(name, shape, x.element);
  line(fmt::format("{} = clip.reshape {} {} : {} -> {}", v.name, x.name,
                   list(shape), tensorType(x), tensorType(v)));
  return v;
}

Value FunctionWriter::transpose(const std::string &name, const Value &x,
                                std::vector<int64_t> permutation) {
  Shape shape;
  for (int64_t p : permutation)
    shape.push_back(x.shape[p]);
  Value v = fresh(name, shape, x.element);
  line(fmt::format("{} = clip.transpose {} {} : {} -> {}", v.name, x.name,
                   list(permutation), tensorType(x), tensorType(v)));
  return v;
}

Value FunctionWriter::broadcast(const std::string &name, const Value &x,
                                Shape shape) {
  Value v = fresh(name, std::move(shape), x.element);
  line(fmt::format("{} = clip.broadcast {} : {} -> {}", v.name, x.name,
                   tensorType(x), tensorType(v)));
  return v;
}

Value FunctionWriter::concat(const std::string &name,
                             const std::vector<Value> &inputs, int64_t axis) {
  Shape shape = inputs.front().shape;
  shape[axis] = 0;
  std::vector<std::string> names, types;
  for (const Value &in : inputs) {
    shape[axis] += in.shape[axis];
    names.push_back(in.name);
    types.push_back(tensorType(in));
  }
  Value v = fresh(name, shape, inputs.front().element);
  line(fmt::format("{} = clip.concat {} axis {} : ({}) -> {}", v.name,
                   fmt::join(names, ", "), axis, fmt::join(types, ", "),
                   tensorType(v)));
  return v;
}

Value FunctionWriter::slice(const std::string &name, const Value &x,
                            int64_t axis, int64_t start, int64_t end) {
  Shape shape = x.shape;
  shape[axis] = end - start;
  Value v = fresh(name, shape, x.element);
  line(fmt::format("{} = clip.slice {} axis {} from {} to {} : {} -> {}",
                   v.name, x.name, axis, start, end, tensorType(x),
                   tensorType(v)));
  return v;
}

Value FunctionWriter::gather(const std::string &name, const Value &x,
                             const Value &indices, int64_t axis,
                             int64_t batchDims) {
  Shape shape(x.shape.begin(), x.shape.begin() + axis);
  shape.insert(shape.end(), indices.shape.begin() + batchDims,
               indices.shape.end());
  shape.insert(shape.end(), x.shape.begin() + axis + 1, x.shape.end());
  Value v = fresh(name, shape, x.element);
  line(fmt::format("{} = clip.gather {}[{}] axis {}{} : ({}, {}) -> {}", v.name,
                   x.name, indices.name, axis,
                   batchDims ? fmt::format(" batch_dims {}", batchDims) : "",
                   tensorType(x), tensorType(indices), tensorType(v)));
  return v;
}

Value FunctionWriter::conv2d(const std::string &name, const Value &x,
                             const Value &weight, int64_t stride,
                             int64_t padding) {
  const int64_t kh = weight.shape[2], kw = weight.shape[3];
  Shape shape = {x.shape[0], weight.shape[0],
                 (x.shape[2] + 2 * padding - kh) / stride + 1,
                 (x.shape[3] + 2 * padding - kw) / stride + 1};
  Value v = fresh(name, shape, x.element);
  line(fmt::format("{} = clip.conv2d {}, {} stride [{}, {}] padding [{}, {}] : "
                   "({}, {}) -> {}",
                   v.name, x.name, weight.name, stride, stride, padding,
                   padding, tensorType(x), tensorType(weight), tensorType(v)));
  return v;
}

Value FunctionWriter::avgPool2d(const std::string &name, const Value &x,
                                int64_t kernel) {
  Shape shape = {x.shape[0], x.shape[1], x.shape[2] / kernel,
                 x.shape[3] / kernel};
  Value v = fresh(name, shape, x.element);
  line(fmt::format("{} = clip.avg_pool2d {} kernel [{}, {}] stride [{}, {}] "
                   "padding [0, 0] : {} -> {}",
                   v.name, x.name, kernel, kernel, kernel, kernel,
                   tensorType(x), tensorType(v)));
  return v;
}

Value FunctionWriter::batchNorm(const std::string &name, const Value &x,
                                const Value &scale, const Value &bias,
                                const Value &mean, const Value &var) {
  Value v = fresh(name, x.shape, x.element);
  line(fmt::format("{} = clip.batch_norm {}, {}, {}, {}, {} epsilon 1.0e-05 : "
                   "({}, {}, {}, {}, {}) -> {}",
                   v.name, x.name, scale.name, bias.name, mean.name, var.name,
                   tensorType(x), tensorType(scale), tensorType(bias),
                   tensorType(mean), tensorType(var), tensorType(v)));
  return v;
}

std::vector<Value> FunctionWriter::call(const std::vector<std::string> &names,
                                        const std::string &callee,
                                        const std::vector<Value> &args,
                                        const std::vector<Value> &resultTypes) {
  std::vector<Value> results;
  std::vector<std::string> resultNames, argNames, argTypes, resultTypeNames;
  for (size_t i = 0; i < resultTypes.size(); ++i) {
    results.push_back(
        fresh(names[i], resultTypes[i].shape, resultTypes[i].element));
    resultNames.push_back(results.back().name);
    resultTypeNames.push_back(tensorType(resultTypes[i]));
  }
  for (const Value &a : args) {
    argNames.push_back(a.name);
    argTypes.push_back(tensorType(a));
  }
  const std::string resultList =
      resultTypeNames.size() == 1
          ? resultTypeNames[0]
          : fmt::format("({})", fmt::join(resultTypeNames, ", "));
  line(fmt::format("{} = func.call @{}({}) : ({}) -> {}",
                   fmt::join(resultNames, ", "), callee,
                   fmt::join(argNames, ", "), fmt::join(argTypes, ", "),
                   resultList));
  return results;
}

Value FunctionWriter::call(const std::string &name, const std::string &callee,
                           const std::vector<Value> &args,
                           const Value &resultType) {
  return call(std::vector<std::string>{name}, callee, args, {resultType})[0];
}

void FunctionWriter::ret(const std::vector<Value> &results) {
  results_ = results;
  std::vector<std::string> names, types;
  for (const Value &r : results) {
    names.push_back(r.name);
    types.push_back(tensorType(r));
  }
  line(fmt::format("return {} : {}", fmt::join(names, ", "),
                   fmt::join(types, ", ")));
}

std::string FunctionWriter::str() const {
  std::string out;
  if (!comment_.empty()) {
    size_t start = 0;
    while (start < comment_.size()) {
      size_t end = comment_.find('\n', start);
      if (end == std::string::npos)
        end = comment_.size();
      out += "  // " + comment_.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  std::vector<std::string> args, resultTypes;
  for (const Value &a : arguments_)
    args.push_back(fmt::format("{}: {}", a.name, tensorType(a)));
  for (const Value &r : results_)
    resultTypes.push_back(tensorType(r));
  const std::string results =
      resultTypes.size() == 1
          ? resultTypes[0]
          : fmt::format("({})", fmt::join(resultTypes, ", "));
  out += fmt::format("  func.func {}@{}({}) -> {} {{\n",
                     isPublic_ ? "" : "private ", name_, fmt::join(args, ", "),
                     results);
  for (const std::string &l : body_)
    out += l.empty() ? "\n" : "    " + l + "\n";
  out += "  }\n";
  return out;
}

void ModuleWriter::add(FunctionWriter function) {
  if (!names_.insert(function.name()).second)
    throw std::logic_error("function @" + function.name() + " written twice");
  functions_.push_back(std::move(function));
}

std::string ModuleWriter::str() const {
  std::string out = header_ + "module {\n";
  for (size_t i = 0; i < functions_.size(); ++i)
    out += (i ? "\n" : "") + functions_[i].str();
  return out + "}\n";
}

} // namespace clip::modelgen
