//===- GraphWriter.h - Writes readable clip-dialect functions ---*- C++ -*-===//
//
// The model generator writes MLIR text rather than building ops so that the
// files it checks in read like hand-written ones: values carry names (%q,
// %scores, %probs) and each block is a small function. Every op method
// computes its result shape with the op's rule; the generator then parses
// and verifies the whole module, so a wrong shape here can never reach a
// checked-in file.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_TOOLS_MODELGEN_GRAPHWRITER_H
#define CLIP_TOOLS_MODELGEN_GRAPHWRITER_H

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace clip::modelgen {

/// -1 is the dynamic batch, printed `?`.
using Shape = std::vector<int64_t>;
constexpr int64_t kBatch = -1;

struct Value {
  std::string name; // with the leading %
  Shape shape;
  std::string element = "f32";
};

std::string tensorType(const Shape &shape, const std::string &element);
std::string tensorType(const Value &v);

/// One function under construction.
class FunctionWriter {
public:
  FunctionWriter(std::string name, bool isPublic, std::string comment);

  Value argument(const std::string &name, Shape shape,
                 std::string element = "f32");

  Value param(const std::string &name, const std::string &key, Shape shape,
              bool frozen = false);
  Value input(const std::string &name, const std::string &key, Shape shape,
              std::string element);
  Value scalar(const std::string &name, double value);
  Value causalMask(const std::string &name, Shape shape);
  Value iota(const std::string &name, Shape shape, int64_t dim,
             std::string element);

  Value unary(const std::string &op, const std::string &name, const Value &x,
              const std::string &attrs = "");
  Value binary(const std::string &op, const std::string &name, const Value &a,
               const Value &b);
  Value matmul(const std::string &name, const Value &a, const Value &b,
               bool transposeA, bool transposeB);
  Value reduce(const std::string &op, const std::string &name, const Value &x,
               std::vector<int64_t> axes, bool keepdims);
  Value argmax(const std::string &name, const Value &x, int64_t axis);
  Value softmax(const std::string &op, const std::string &name, const Value &x,
                int64_t axis);
  /// `shape` may hold kBatch, printed as -1 (at most one).
  Value reshape(const std::string &name, const Value &x, Shape shape);
  Value transpose(const std::string &name, const Value &x,
                  std::vector<int64_t> permutation);
  Value broadcast(const std::string &name, const Value &x, Shape shape);
  Value concat(const std::string &name, const std::vector<Value> &inputs,
               int64_t axis);
  Value slice(const std::string &name, const Value &x, int64_t axis,
              int64_t start, int64_t end);
  Value gather(const std::string &name, const Value &x, const Value &indices,
               int64_t axis, int64_t batchDims);
  Value conv2d(const std::string &name, const Value &x, const Value &weight,
               int64_t stride, int64_t padding);
  Value avgPool2d(const std::string &name, const Value &x, int64_t kernel);
  Value batchNorm(const std::string &name, const Value &x, const Value &scale,
                  const Value &bias, const Value &mean, const Value &var);
  std::vector<Value> call(const std::vector<std::string> &names,
                          const std::string &callee,
                          const std::vector<Value> &args,
                          const std::vector<Value> &resultTypes);
  Value call(const std::string &name, const std::string &callee,
             const std::vector<Value> &args, const Value &resultType);

  void comment(const std::string &text);
  void blank();
  void ret(const std::vector<Value> &results);

  const std::string &name() const { return name_; }
  std::string str() const;

private:
  Value fresh(const std::string &name, Shape shape, std::string element);
  void line(const std::string &text);

  std::string name_, comment_;
  bool isPublic_;
  std::vector<Value> arguments_;
  std::vector<Value> results_;
  std::vector<std::string> body_;
  std::set<std::string> used_;
};

/// A module: functions in the order they were added, each name once.
class ModuleWriter {
public:
  explicit ModuleWriter(std::string header) : header_(std::move(header)) {}
  bool has(const std::string &name) const { return names_.count(name); }
  void add(FunctionWriter function);
  std::string str() const;

private:
  std::string header_;
  std::set<std::string> names_;
  std::vector<FunctionWriter> functions_;
};

} // namespace clip::modelgen

#endif // CLIP_TOOLS_MODELGEN_GRAPHWRITER_H
