//===- Safetensors.h - safetensors files: read, write, bind by name -------===//
//
// The format (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON mapping each tensor name to
// {dtype, shape, data_offsets} (plus an optional "__metadata__" map of
// strings), then the raw little-endian data. Every offset, length and shape
// is checked against the file before any byte is read, so a truncated or
// malformed file gives a SafetensorsError naming the file and the problem.
//
// Runtime code: plain C++ and fmt, no MLIR or LLVM.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_IO_SAFETENSORS_H
#define CLIP_RUNTIME_IO_SAFETENSORS_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace clip::io {

class SafetensorsError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

/// "F32", "BF16", ... as the format spells them; nullopt-like: throws on an
/// unknown name.
const char *dtypeName(DType dtype);
size_t dtypeSize(DType dtype);

struct TensorView {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  /// Bytes of this tensor inside the file's data section.
  const uint8_t *data = nullptr;
  size_t byteSize = 0;

  int64_t numel() const;
  /// The elements converted to double (exact for every dtype except int64
  /// values beyond 2^53).
  std::vector<double> toDoubles() const;
};

/// The bytes of a file; throws SafetensorsError naming it when it cannot be
/// read.
std::vector<uint8_t> readBinaryFile(const std::string &path);

/// A tensor held in memory, contiguous and little-endian: what the
/// checkpoint converters produce.
struct HostTensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

/// A whole file held in memory.
class SafetensorsFile {
public:
  /// Reads and validates `path`.
  static SafetensorsFile read(const std::string &path);
  /// Parses and validates a file image; `origin` names it in messages.
  static SafetensorsFile parse(std::vector<uint8_t> bytes, std::string origin);

  const std::vector<TensorView> &tensors() const { return tensors_; }
  /// The tensor called `name`, or nullptr.
  const TensorView *find(const std::string &name) const;
  const std::map<std::string, std::string> &metadata() const {
    return metadata_;
  }
  const std::string &origin() const { return origin_; }

private:
  std::string origin_;
  std::vector<uint8_t> bytes_;
  std::vector<TensorView> tensors_; // sorted by name
  std::map<std::string, std::string> metadata_;
};

/// Collects tensors and writes them as one file, atomically: the bytes go to
/// a temporary file beside the target, are flushed, and replace the target
/// by rename, so a crash never leaves a half-written file under its name.
class SafetensorsWriter {
public:
  void add(std::string name, DType dtype, std::vector<int64_t> shape,
           std::vector<uint8_t> bytes);
  /// Converts `values` to `dtype` (F64, F32, F16, BF16, or an integer type).
  void addDoubles(std::string name, DType dtype, std::vector<int64_t> shape,
                  const std::vector<double> &values);
  void setMetadata(std::string key, std::string value);

  std::vector<uint8_t> serialize() const;
  void write(const std::string &path) const;
  /// Throws SafetensorsError unless write(path) could create its temporary
  /// file (a read-only or missing folder), so that a long run can refuse
  /// before its first step rather than at its first checkpoint.
  static void checkWritable(const std::string &path);

private:
  struct Entry {
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
  };
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

/// What a model declares: a name and a shape.
struct ExpectedTensor {
  std::string name;
  std::vector<int64_t> shape;
};

/// Checks `file` against `expected`: returns "" when every expected name is
/// present with its shape and nothing else is there, else one message that
/// lists every missing, unexpected and mis-shaped key.
std::string checkBinding(const SafetensorsFile &file,
                         const std::vector<ExpectedTensor> &expected);

/// As above, but a key of the file is unexpected only when `isKnown` says so
/// (e.g. a checkpoint holds both towers while one tower runs); without
/// `isKnown`, extra keys are allowed.
std::string
checkBinding(const SafetensorsFile &file,
             const std::vector<ExpectedTensor> &expected,
             const std::function<bool(const std::string &)> &isKnown);

std::string formatShape(const std::vector<int64_t> &shape);

} // namespace clip::io

#endif // CLIP_RUNTIME_IO_SAFETENSORS_H
