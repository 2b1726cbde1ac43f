//===- TorchCheckpoint.cpp - State dicts saved by torch.save --------------===//
#include "runtime/io/TorchCheckpoint.h"

#include "runtime/io/Zip.h"

#include <fmt/format.h>

#include <cstring>
#include <functional>
#include <memory>
#include <set>

namespace clip::io {

namespace {

/// What the restricted machine can hold: the values a state dict's pickle
/// builds, nothing callable.
struct Value;
using Ref = std::shared_ptr<Value>;

struct Value {
  enum class Kind {
    None, Bool, Int, Float, String, Tuple, List, Dict,
    Global,  // an allowed callable or storage class, by name
    Storage, // a persistent id: the member holding a storage's bytes
    Tensor,
  };
  Kind kind = Kind::None;
  int64_t integer = 0; // Bool, Int; Storage: its element count
  double number = 0;
  std::string text;    // String; Global: "module.name"; Storage: its key
  std::vector<Ref> items; // Tuple, List; Dict: key, value, key, value, ...
  DType dtype = DType::F32; // Storage
  // Tensor: items[0] is the storage.
  int64_t offset = 0;
  std::vector<int64_t> shape, strides;
};

Ref make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

/// The storage classes torch.save names (torch.FloatStorage, ...) and the
/// dtypes they hold.
const std::map<std::string, DType> &storageTypes() {
  static const std::map<std::string, DType> types = {
      {"torch.FloatStorage", DType::F32},   {"torch.DoubleStorage", DType::F64},
      {"torch.HalfStorage", DType::F16},    {"torch.BFloat16Storage", DType::BF16},
      {"torch.LongStorage", DType::I64},    {"torch.IntStorage", DType::I32},
      {"torch.ShortStorage", DType::I16},   {"torch.CharStorage", DType::I8},
      {"torch.ByteStorage", DType::U8},     {"torch.BoolStorage", DType::Bool},
  };
  return types;
}

/// The callables a state dict's pickle reduces with.
const std::set<std::string> &allowedCallables() {
  static const std::set<std::string> callables = {
      "collections.OrderedDict",
      "torch._utils._rebuild_tensor_v2",
      "torch._utils._rebuild_parameter",
      "torch._utils._rebuild_parameter_with_state",
  };
  return callables;
}

class Unpickler {
public:
  Unpickler(const ZipArchive &zip, std::string prefix)
      : zip(zip), prefix(std::move(prefix)),
        pickle(zip.member(this->prefix + "data.pkl")) {}

  Ref run();

private:
  [[noreturn]] void fail(const std::string &what) const {
    throw TorchCheckpointError(fmt::format(
        "{}: {}data.pkl byte {}: {}", zip.origin(), prefix, opcodeAt, what));
  }
  uint64_t take(size_t n) {
    if (n > pickle.size - at)
      fail("the pickle ends inside an opcode's argument (truncated)");
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
      v = v << 8 | pickle.data[at + i];
    at += n;
    return v;
  }
  std::string takeText(size_t n) {
    if (n > pickle.size - at)
      fail("the pickle ends inside a string (truncated)");
    std::string s(reinterpret_cast<const char *>(pickle.data + at), n);
    at += n;
    return s;
  }
  std::string takeLine() {
    const size_t start = at;
    while (at < pickle.size && pickle.data[at] != '\n')
      ++at;
    if (at == pickle.size)
      fail("the pickle ends inside a GLOBAL's name (truncated)");
    return std::string(reinterpret_cast<const char *>(pickle.data + start),
                       at++ - start);
  }
  void push(Ref v) { stack.push_back(std::move(v)); }
  Ref pop() {
    if (stack.size() <= floor())
      fail("pops an empty stack (malformed pickle)");
    Ref v = std::move(stack.back());
    stack.pop_back();
    return v;
  }
  Ref &top() {
    if (stack.size() <= floor())
      fail("reads an empty stack (malformed pickle)");
    return stack.back();
  }
  size_t floor() const { return marks.empty() ? 0 : marks.back(); }
  /// The items above the topmost mark, which is dropped.
  std::vector<Ref> popToMark() {
    if (marks.empty())
      fail("no MARK to pop to (malformed pickle)");
    std::vector<Ref> items(stack.begin() + marks.back(), stack.end());
    stack.resize(marks.back());
    marks.pop_back();
    return items;
  }
  Ref tuple(std::vector<Ref> items) {
    Ref t = make(Value::Kind::Tuple);
    t->items = std::move(items);
    return t;
  }
  void global(const std::string &module, const std::string &name);
  Ref reduce(const Ref &callable, const Ref &args);
  Ref persistentLoad(const Ref &id);
  void setItems(Ref &dict, const std::vector<Ref> &pairs);

  const ZipArchive &zip;
  const std::string prefix;
  const ByteRange pickle;
  size_t at = 0, opcodeAt = 0;
  std::vector<Ref> stack;
  std::vector<size_t> marks;
  std::map<uint64_t, Ref> memo;
};

void Unpickler::global(const std::string &module, const std::string &name) {
  const std::string full = module + "." + name;
  if (!storageTypes().count(full) && !allowedCallables().count(full))
    fail(fmt::format(
        "refused: the pickle calls `{}`; a state dict needs only tensors and "
        "ordered dicts, so this file is not a plain checkpoint (it may run "
        "code when PyTorch loads it); nothing was executed",
        full));
  Ref g = make(Value::Kind::Global);
  g->text = full;
  push(std::move(g));
}

Ref Unpickler::persistentLoad(const Ref &id) {
  // ('storage', storage class, key, location, element count)
  if (id->kind != Value::Kind::Tuple || id->items.size() != 5 ||
      id->items[0]->kind != Value::Kind::String ||
      id->items[0]->text != "storage" ||
      id->items[1]->kind != Value::Kind::Global ||
      id->items[2]->kind != Value::Kind::String ||
      id->items[4]->kind != Value::Kind::Int)
    fail("a persistent id that is not torch.save's ('storage', type, key, "
         "location, numel)");
  auto type = storageTypes().find(id->items[1]->text);
  if (type == storageTypes().end())
    fail(fmt::format("`{}` is not a storage type", id->items[1]->text));
  Ref s = make(Value::Kind::Storage);
  s->dtype = type->second;
  s->text = id->items[2]->text;
  s->integer = id->items[4]->integer;
  const std::string member = prefix + "data/" + s->text;
  if (!zip.contains(member))
    fail(fmt::format("storage `{}` has no member `{}` in the archive",
                     s->text, member));
  const ByteRange bytes = zip.member(member);
  if (s->integer < 0 ||
      static_cast<uint64_t>(s->integer) > bytes.size / dtypeSize(s->dtype))
    fail(fmt::format("storage `{}` claims {} elements of {} but its member "
                     "holds {} bytes",
                     s->text, s->integer, dtypeName(s->dtype), bytes.size));
  return s;
}

std::vector<int64_t> integers(const Ref &v, const char *what,
                              const std::function<void(std::string)> &fail) {
  if (v->kind != Value::Kind::Tuple)
    fail(fmt::format("{} is not a tuple", what));
  std::vector<int64_t> out;
  for (const Ref &i : v->items) {
    if (i->kind != Value::Kind::Int || i->integer < 0)
      fail(fmt::format("{} holds something other than a non-negative integer",
                       what));
    out.push_back(i->integer);
  }
  return out;
}

Ref Unpickler::reduce(const Ref &callable, const Ref &args) {
  if (callable->kind != Value::Kind::Global ||
      !allowedCallables().count(callable->text))
    fail("REDUCE applies something that is not an allowed callable");
  if (args->kind != Value::Kind::Tuple)
    fail(fmt::format("`{}` is applied to something other than a tuple",
                     callable->text));
  const std::vector<Ref> &a = args->items;
  const std::string &name = callable->text;
  auto failer = [this](std::string what) { fail(what); };
  if (name == "collections.OrderedDict") {
    if (!a.empty())
      fail("OrderedDict is built with arguments (a state dict's has none)");
    return make(Value::Kind::Dict);
  }
  if (name == "torch._utils._rebuild_parameter" ||
      name == "torch._utils._rebuild_parameter_with_state") {
    if (a.empty() || a[0]->kind != Value::Kind::Tensor)
      fail(fmt::format("`{}` without a tensor", name));
    return a[0];
  }
  // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
  //                    backward_hooks[, metadata])
  if (a.size() < 4 || a[0]->kind != Value::Kind::Storage ||
      a[1]->kind != Value::Kind::Int)
    fail("_rebuild_tensor_v2 with arguments other than (storage, offset, "
         "size, stride, ...)");
  Ref t = make(Value::Kind::Tensor);
  t->items = {a[0]};
  t->offset = a[1]->integer;
  t->shape = integers(a[2], "a tensor's size", failer);
  t->strides = integers(a[3], "a tensor's stride", failer);
  if (t->shape.size() != t->strides.size())
    fail("a tensor's size and stride differ in rank");
  // The last element read must lie inside the storage, and the tensor may
  // not hold more elements than it (a state dict saves no expanded views;
  // this bounds what a hostile file can make us allocate). 128-bit sums: a
  // size and a stride may each be up to 2^63.
  __int128 last = t->offset, numel = 1;
  for (size_t d = 0; d < t->shape.size(); ++d) {
    numel *= t->shape[d];
    if (numel > a[0]->integer)
      break;
    if (t->shape[d])
      last += static_cast<__int128>(t->shape[d] - 1) * t->strides[d];
  }
  if (numel > a[0]->integer)
    fail(fmt::format("a tensor of size {} holds more elements than its "
                     "storage `{}` ({})",
                     formatShape(t->shape), a[0]->text, a[0]->integer));
  if (t->offset < 0 || (numel > 0 && last >= a[0]->integer))
    fail(fmt::format("a tensor of size {} at offset {} reads past its "
                     "storage `{}` ({} elements)",
                     formatShape(t->shape), t->offset, a[0]->text,
                     a[0]->integer));
  return t;
}

void Unpickler::setItems(Ref &dict, const std::vector<Ref> &pairs) {
  if (dict->kind != Value::Kind::Dict)
    fail("SETITEM(S) on something that is not a dict");
  if (pairs.size() % 2)
    fail("SETITEMS with an odd number of items");
  for (const Ref &v : pairs)
    dict->items.push_back(v);
}

Ref Unpickler::run() {
  const auto kind = [](const Ref &v) { return v->kind; };
  while (at < pickle.size) {
    opcodeAt = at;
    const uint8_t op = pickle.data[at++];
    switch (op) {
    case 0x80: // PROTO
      if (take(1) > 5)
        fail("pickle protocol above 5");
      break;
    case 0x95: // FRAME (protocol 4): a length hint
      take(8);
      break;
    case '.': { // STOP
      if (stack.size() != 1 || !marks.empty())
        fail("STOP with other than one value on the stack");
      return stack.back();
    }
    case '(': // MARK
      marks.push_back(stack.size());
      break;
    case 'N':
      push(make(Value::Kind::None));
      break;
    case 0x88: // NEWTRUE
    case 0x89: { // NEWFALSE
      Ref b = make(Value::Kind::Bool);
      b->integer = op == 0x88;
      push(b);
      break;
    }
    case 'J': // BININT
    case 'K': // BININT1
    case 'M': { // BININT2
      Ref i = make(Value::Kind::Int);
      const uint64_t raw = take(op == 'J' ? 4 : op == 'K' ? 1 : 2);
      i->integer = op == 'J' ? static_cast<int32_t>(raw)
                             : static_cast<int64_t>(raw);
      push(i);
      break;
    }
    case 0x8a: { // LONG1: a little-endian two's-complement of n bytes
      const uint64_t n = take(1);
      if (n > 8)
        fail("an integer wider than 64 bits");
      uint64_t raw = n ? take(n) : 0;
      if (n && n < 8 && (raw >> (8 * n - 1) & 1))
        raw |= ~uint64_t{0} << (8 * n);
      Ref i = make(Value::Kind::Int);
      i->integer = static_cast<int64_t>(raw);
      push(i);
      break;
    }
    case 'G': { // BINFLOAT: big-endian double
      uint64_t raw = 0;
      for (int b = 0; b < 8; ++b)
        raw = raw << 8 | take(1);
      Ref f = make(Value::Kind::Float);
      std::memcpy(&f->number, &raw, 8);
      push(f);
      break;
    }
    case 'X':    // BINUNICODE
    case 0x8c: { // SHORT_BINUNICODE
      Ref s = make(Value::Kind::String);
      s->text = takeText(take(op == 'X' ? 4 : 1));
      push(s);
      break;
    }
    case 'c': { // GLOBAL "module\nname\n"
      std::string module = takeLine();
      std::string name = takeLine();
      global(module, name);
      break;
    }
    case 0x93: { // STACK_GLOBAL
      Ref name = pop(), module = pop();
      if (kind(name) != Value::Kind::String ||
          kind(module) != Value::Kind::String)
        fail("STACK_GLOBAL of something other than two strings");
      global(module->text, name->text);
      break;
    }
    case '}':
      push(make(Value::Kind::Dict));
      break;
    case ']':
      push(make(Value::Kind::List));
      break;
    case ')':
      push(tuple({}));
      break;
    case 't':
      push(tuple(popToMark()));
      break;
    case 0x85:
    case 0x86:
    case 0x87: {
      std::vector<Ref> items(op - 0x84);
      for (size_t i = items.size(); i-- > 0;)
        items[i] = pop();
      push(tuple(std::move(items)));
      break;
    }
    case 'q': // BINPUT
    case 'r': // LONG_BINPUT
      memo[take(op == 'q' ? 1 : 4)] = top();
      break;
    case 0x94: // MEMOIZE
      memo[memo.size()] = top();
      break;
    case 'h': // BINGET
    case 'j': { // LONG_BINGET
      const uint64_t key = take(op == 'h' ? 1 : 4);
      auto it = memo.find(key);
      if (it == memo.end())
        fail(fmt::format("memo entry {} read before it is written", key));
      push(it->second);
      break;
    }
    case 'Q': // BINPERSID
      push(persistentLoad(pop()));
      break;
    case 'R': { // REDUCE
      Ref args = pop(), callable = pop();
      push(reduce(callable, args));
      break;
    }
    case 'b': { // BUILD: an ordered dict's attributes (a state dict's
                // _metadata) or a parameter's state; neither holds tensors.
      pop();
      if (kind(top()) != Value::Kind::Dict && kind(top()) != Value::Kind::Tensor)
        fail("BUILD on something other than a dict or tensor");
      break;
    }
    case 's': { // SETITEM
      Ref value = pop(), key = pop();
      setItems(top(), {key, value});
      break;
    }
    case 'u': { // SETITEMS
      std::vector<Ref> pairs = popToMark();
      setItems(top(), pairs);
      break;
    }
    case 'a': { // APPEND
      Ref value = pop();
      if (kind(top()) != Value::Kind::List)
        fail("APPEND to something that is not a list");
      top()->items.push_back(value);
      break;
    }
    case 'e': { // APPENDS
      std::vector<Ref> values = popToMark();
      if (kind(top()) != Value::Kind::List)
        fail("APPENDS to something that is not a list");
      for (Ref &v : values)
        top()->items.push_back(std::move(v));
      break;
    }
    default:
      fail(fmt::format("refused: opcode 0x{:02x} ('{}') is not one a state "
                       "dict uses; nothing was executed",
                       op, op >= 0x20 && op < 0x7f ? static_cast<char>(op) : '?'));
    }
  }
  fail("the pickle ends without STOP (truncated)");
}

/// The tensor's elements in row-major order.
HostTensor materialize(const ZipArchive &zip, const std::string &prefix,
                       const Value &t) {
  const Value &storage = *t.items[0];
  const ByteRange bytes = zip.member(prefix + "data/" + storage.text);
  HostTensor out;
  out.dtype = storage.dtype;
  out.shape = t.shape;
  const size_t size = dtypeSize(out.dtype);
  int64_t numel = 1;
  for (int64_t d : t.shape)
    numel *= d;
  out.bytes.resize(static_cast<size_t>(numel) * size);
  const size_t rank = t.shape.size();
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < numel; ++i) {
    int64_t element = t.offset;
    for (size_t d = 0; d < rank; ++d)
      element += index[d] * t.strides[d];
    std::memcpy(out.bytes.data() + i * size, bytes.data + element * size,
                size);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < t.shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

} // namespace

std::map<std::string, HostTensor>
parseTorchCheckpoint(std::vector<uint8_t> bytes, const std::string &origin) {
  const ZipArchive zip(std::move(bytes), origin);
  // Every member sits under one folder named after the file it was saved
  // as; data.pkl names it.
  std::string prefix;
  for (const std::string &name : zip.names()) {
    const size_t slash = name.find('/');
    if (slash != std::string::npos && name.substr(slash + 1) == "data.pkl") {
      prefix = name.substr(0, slash + 1);
      break;
    }
  }
  if (prefix.empty())
    throw TorchCheckpointError(fmt::format(
        "{}: a zip archive without `<name>/data.pkl`: not written by "
        "torch.save (a TorchScript archive holds `code/`; export its "
        "state_dict() instead)",
        origin));
  if (zip.contains(prefix + "byteorder")) {
    const ByteRange order = zip.member(prefix + "byteorder");
    if (std::string(reinterpret_cast<const char *>(order.data), order.size) !=
        "little")
      throw TorchCheckpointError(fmt::format(
          "{}: saved on a big-endian machine; re-save it on a little-endian "
          "one",
          origin));
  }

  Ref root = Unpickler(zip, prefix).run();
  if (root->kind != Value::Kind::Dict)
    throw TorchCheckpointError(fmt::format(
        "{}: the pickled object is not a dict of tensors (a whole module "
        "saved with torch.save(model)? save model.state_dict() instead)",
        origin));
  auto entry = [](const Value &dict, const char *key) -> Ref {
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2)
      if (dict.items[i]->kind == Value::Kind::String &&
          dict.items[i]->text == key)
        return dict.items[i + 1];
    return nullptr;
  };
  for (const char *wrapper : {"state_dict", "model"})
    if (Ref inner = entry(*root, wrapper);
        inner && inner->kind == Value::Kind::Dict) {
      root = inner;
      break;
    }

  std::map<std::string, HostTensor> tensors;
  for (size_t i = 0; i + 1 < root->items.size(); i += 2) {
    const Value &key = *root->items[i];
    const Value &value = *root->items[i + 1];
    if (value.kind != Value::Kind::Tensor)
      continue;
    if (key.kind != Value::Kind::String)
      throw TorchCheckpointError(
          fmt::format("{}: a tensor under a key that is not a string", origin));
    if (!tensors.emplace(key.text, materialize(zip, prefix, value)).second)
      throw TorchCheckpointError(
          fmt::format("{}: tensor `{}` appears twice", origin, key.text));
  }
  if (tensors.empty())
    throw TorchCheckpointError(
        fmt::format("{}: the checkpoint holds no tensors", origin));
  return tensors;
}

std::map<std::string, HostTensor> readTorchCheckpoint(const std::string &path) {
  return parseTorchCheckpoint(readBinaryFile(path), path);
}

} // namespace clip::io
