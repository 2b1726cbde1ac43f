//===- Safetensors.cpp - safetensors files: read, write, bind by name -----===//
#include "runtime/io/Safetensors.h"

#include "runtime/io/Json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>

#include <fcntl.h>
#include <unistd.h>

namespace clip::io {

namespace {

struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8},   {DType::F32, "F32", 4}, {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8}, {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},   {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
    {DType::Bool, "BOOL", 1},
};

const DTypeInfo *findDType(const std::string &name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.name)
      return &info;
  return nullptr;
}

// IEEE half and bfloat16 <-> float, round to nearest even.
float halfToFloat(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  float v;
  if (exp == 0)
    v = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31)
    v = mant ? std::numeric_limits<float>::quiet_NaN()
             : std::numeric_limits<float>::infinity();
  else
    v = std::ldexp(static_cast<float>(mant | 0x400),
                   static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  if (std::isnan(f))
    return sign | 0x7E00;
  const float a = std::fabs(f);
  if (a >= 65520.0f) // rounds to infinity
    return sign | 0x7C00;
  if (a < std::ldexp(1.0f, -14)) {
    // Subnormal: units of 2^-24, rounded to nearest even by nearbyint.
    return sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(a, 24)));
  }
  int e;
  const float m = std::frexp(a, &e); // a = m * 2^e, m in [0.5, 1)
  // 11 significant bits: mantissa integer in [1024, 2048].
  uint32_t mant = static_cast<uint32_t>(std::nearbyint(std::ldexp(m, 11)));
  int exp = e - 1 + 15;
  if (mant == 2048) {
    mant = 1024;
    ++exp;
  }
  return sign | static_cast<uint16_t>(exp << 10) |
         static_cast<uint16_t>(mant & 0x3FF);
}

float bf16ToFloat(uint16_t b) {
  const uint32_t x = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

uint16_t floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if (std::isnan(f))
    return static_cast<uint16_t>((x >> 16) | 0x40);
  x += 0x7FFF + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

template <typename T> T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T> void store(uint8_t *p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

bool mulOverflows(uint64_t a, uint64_t b, uint64_t &out) {
  return __builtin_mul_overflow(a, b, &out);
}

std::string escapeJson(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

} // namespace

const char *dtypeName(DType dtype) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == dtype)
      return info.name;
  return "?";
}

size_t dtypeSize(DType dtype) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == dtype)
      return info.size;
  return 0;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<double> TensorView::toDoubles() const {
  const size_t n = static_cast<size_t>(numel()), size = dtypeSize(dtype);
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t *p = data + i * size;
    switch (dtype) {
    case DType::F64:
      out[i] = load<double>(p);
      break;
    case DType::F32:
      out[i] = load<float>(p);
      break;
    case DType::F16:
      out[i] = halfToFloat(load<uint16_t>(p));
      break;
    case DType::BF16:
      out[i] = bf16ToFloat(load<uint16_t>(p));
      break;
    case DType::I64:
      out[i] = static_cast<double>(load<int64_t>(p));
      break;
    case DType::I32:
      out[i] = load<int32_t>(p);
      break;
    case DType::I16:
      out[i] = load<int16_t>(p);
      break;
    case DType::I8:
      out[i] = load<int8_t>(p);
      break;
    case DType::U8:
      out[i] = load<uint8_t>(p);
      break;
    case DType::Bool:
      out[i] = load<uint8_t>(p) != 0;
      break;
    }
  }
  return out;
}

std::vector<uint8_t> readBinaryFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw SafetensorsError(
        fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad())
    throw SafetensorsError(fmt::format("{}: read error", path));
  return bytes;
}

SafetensorsFile SafetensorsFile::read(const std::string &path) {
  return parse(readBinaryFile(path), path);
}

SafetensorsFile SafetensorsFile::parse(std::vector<uint8_t> bytes,
                                       std::string origin) {
  auto fail = [&](const std::string &what) -> SafetensorsError {
    return SafetensorsError(
        fmt::format("{}: not a valid safetensors file: {}", origin, what));
  };
  if (bytes.size() < 8)
    throw fail(fmt::format("{} bytes is too short for the 8-byte header length",
                           bytes.size()));
  const uint64_t headerSize = load<uint64_t>(bytes.data());
  if (headerSize > bytes.size() - 8)
    throw fail(fmt::format("the header claims {} bytes but only {} follow "
                           "(truncated file?)",
                           headerSize, bytes.size() - 8));
  const size_t dataStart = 8 + static_cast<size_t>(headerSize);
  const uint64_t dataSize = bytes.size() - dataStart;

  JsonValue header;
  try {
    header = parseJson(std::string_view(
        reinterpret_cast<const char *>(bytes.data() + 8), headerSize));
  } catch (const JsonError &e) {
    throw fail(fmt::format("header: {}", e.what()));
  }
  if (!header.isObject())
    throw fail("the header is not a JSON object");

  SafetensorsFile file;
  file.origin_ = origin;
  file.bytes_ = std::move(bytes);
  const uint8_t *dataSection = file.bytes_.data() + dataStart;
  struct Range {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (const auto &item : header.object) {
    // Named, not a structured binding: the lambda below captures the name.
    const std::string &name = item.first;
    const auto &entry = item.second;
    if (name == "__metadata__") {
      if (!entry.isObject())
        throw fail("__metadata__ is not an object");
      for (const auto &[key, value] : entry.object) {
        if (!value.isString())
          throw fail(fmt::format("__metadata__[\"{}\"] is not a string", key));
        file.metadata_[key] = value.text;
      }
      continue;
    }
    auto bad = [&](const std::string &what) {
      return fail(fmt::format("tensor \"{}\": {}", name, what));
    };
    if (!entry.isObject())
      throw bad("entry is not an object");
    const JsonValue *dtype = entry.get("dtype"), *shape = entry.get("shape"),
                    *offsets = entry.get("data_offsets");
    if (!dtype || !dtype->isString())
      throw bad("missing or non-string \"dtype\"");
    const DTypeInfo *info = findDType(dtype->text);
    if (!info)
      throw bad(fmt::format("unsupported dtype \"{}\"", dtype->text));
    if (!shape || !shape->isArray())
      throw bad("missing or non-array \"shape\"");
    if (!offsets || !offsets->isArray() || offsets->array.size() != 2)
      throw bad("\"data_offsets\" must be [begin, end]");

    TensorView view;
    view.name = name;
    view.dtype = info->dtype;
    uint64_t numel = 1;
    try {
      for (const JsonValue &d : shape->array) {
        const long long dim = d.asInteger();
        if (dim < 0)
          throw bad(fmt::format("negative dimension {}", dim));
        view.shape.push_back(dim);
        if (mulOverflows(numel, static_cast<uint64_t>(dim), numel))
          throw bad("shape overflows");
      }
      const long long begin = offsets->array[0].asInteger();
      const long long end = offsets->array[1].asInteger();
      if (begin < 0 || end < begin)
        throw bad(fmt::format("bad data_offsets [{}, {}]", begin, end));
      uint64_t expectedBytes;
      if (mulOverflows(numel, info->size, expectedBytes))
        throw bad("shape overflows");
      if (static_cast<uint64_t>(end) > dataSize)
        throw bad(fmt::format("data_offsets end {} is past the {} data bytes "
                              "(truncated file?)",
                              end, dataSize));
      if (static_cast<uint64_t>(end - begin) != expectedBytes)
        throw bad(fmt::format("shape {} of {} needs {} bytes but data_offsets "
                              "span {}",
                              formatShape(view.shape), info->name,
                              expectedBytes, end - begin));
      view.data = dataSection + begin;
      view.byteSize = expectedBytes;
      ranges.push_back(
          {static_cast<uint64_t>(begin), static_cast<uint64_t>(end), name});
    } catch (const JsonError &e) {
      throw bad(e.what());
    }
    file.tensors_.push_back(std::move(view));
  }

  // The data section is tiled exactly: no overlaps, no holes, no tail.
  std::sort(ranges.begin(), ranges.end(),
            [](const Range &a, const Range &b) { return a.begin < b.begin; });
  uint64_t cursor = 0;
  for (const Range &r : ranges) {
    if (r.begin != cursor)
      throw fail(fmt::format("tensor \"{}\" starts at byte {} but the "
                             "previous tensor ends at {} (overlap or gap)",
                             r.name, r.begin, cursor));
    cursor = r.end;
  }
  if (cursor != dataSize)
    throw fail(fmt::format("{} bytes after the last tensor's data",
                           dataSize - cursor));

  std::sort(
      file.tensors_.begin(), file.tensors_.end(),
      [](const TensorView &a, const TensorView &b) { return a.name < b.name; });
  return file;
}

const TensorView *SafetensorsFile::find(const std::string &name) const {
  auto it = std::lower_bound(
      tensors_.begin(), tensors_.end(), name,
      [](const TensorView &v, const std::string &n) { return v.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

void SafetensorsWriter::add(std::string name, DType dtype,
                            std::vector<int64_t> shape,
                            std::vector<uint8_t> bytes) {
  int64_t numel = 1;
  for (int64_t d : shape)
    numel *= d;
  if (bytes.size() != static_cast<size_t>(numel) * dtypeSize(dtype))
    throw SafetensorsError(
        fmt::format("tensor \"{}\": {} bytes do not match shape {} of {}", name,
                    bytes.size(), formatShape(shape), dtypeName(dtype)));
  if (name == "__metadata__")
    throw SafetensorsError("\"__metadata__\" cannot name a tensor");
  entries_[std::move(name)] = Entry{dtype, std::move(shape), std::move(bytes)};
}

void SafetensorsWriter::addDoubles(std::string name, DType dtype,
                                   std::vector<int64_t> shape,
                                   const std::vector<double> &values) {
  const size_t size = dtypeSize(dtype);
  std::vector<uint8_t> bytes(values.size() * size);
  for (size_t i = 0; i < values.size(); ++i) {
    uint8_t *p = bytes.data() + i * size;
    const double v = values[i];
    switch (dtype) {
    case DType::F64:
      store<double>(p, v);
      break;
    case DType::F32:
      store<float>(p, static_cast<float>(v));
      break;
    case DType::F16:
      store<uint16_t>(p, floatToHalf(static_cast<float>(v)));
      break;
    case DType::BF16:
      store<uint16_t>(p, floatToBf16(static_cast<float>(v)));
      break;
    case DType::I64:
      store<int64_t>(p, static_cast<int64_t>(v));
      break;
    case DType::I32:
      store<int32_t>(p, static_cast<int32_t>(v));
      break;
    case DType::I16:
      store<int16_t>(p, static_cast<int16_t>(v));
      break;
    case DType::I8:
      store<int8_t>(p, static_cast<int8_t>(v));
      break;
    case DType::U8:
      store<uint8_t>(p, static_cast<uint8_t>(v));
      break;
    case DType::Bool:
      store<uint8_t>(p, v != 0.0);
      break;
    }
  }
  add(std::move(name), dtype, std::move(shape), std::move(bytes));
}

void SafetensorsWriter::setMetadata(std::string key, std::string value) {
  metadata_[std::move(key)] = std::move(value);
}

std::vector<uint8_t> SafetensorsWriter::serialize() const {
  std::string header = "{";
  bool first = true;
  auto separator = [&] {
    if (!first)
      header += ',';
    first = false;
  };
  if (!metadata_.empty()) {
    separator();
    header += "\"__metadata__\":{";
    bool firstKey = true;
    for (const auto &[key, value] : metadata_) {
      header += fmt::format("{}\"{}\":\"{}\"", firstKey ? "" : ",",
                            escapeJson(key), escapeJson(value));
      firstKey = false;
    }
    header += '}';
  }
  uint64_t offset = 0;
  for (const auto &[name, entry] : entries_) {
    separator();
    header += fmt::format(
        "\"{}\":{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
        escapeJson(name), dtypeName(entry.dtype), fmt::join(entry.shape, ","),
        offset, offset + entry.bytes.size());
    offset += entry.bytes.size();
  }
  header += '}';
  // Pad with spaces so the data section starts 8-byte aligned.
  while ((header.size() + 8) % 8 != 0)
    header += ' ';

  std::vector<uint8_t> out(8 + header.size());
  store<uint64_t>(out.data(), header.size());
  std::memcpy(out.data() + 8, header.data(), header.size());
  out.reserve(out.size() + offset);
  for (const auto &[name, entry] : entries_)
    out.insert(out.end(), entry.bytes.begin(), entry.bytes.end());
  return out;
}

namespace {
std::string temporaryBeside(const std::string &path) {
  return fmt::format("{}.tmp.{}", path, ::getpid());
}
} // namespace

void SafetensorsWriter::checkWritable(const std::string &path) {
  const std::string temp = temporaryBeside(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0)
    throw SafetensorsError(
        fmt::format("{}: cannot be written: creating {} beside it fails: {}",
                    path, temp, std::strerror(errno)));
  ::close(fd);
  ::unlink(temp.c_str());
}

void SafetensorsWriter::write(const std::string &path) const {
  const std::vector<uint8_t> bytes = serialize();
  const std::string temp = temporaryBeside(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    throw SafetensorsError(fmt::format("{}: cannot create: {}; {} is unchanged",
                                       temp, std::strerror(errno), path));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n =
        ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      // The target is untouched: only the temporary file existed.
      throw SafetensorsError(fmt::format(
          "{}: write failed after {} of {} bytes: {}{}; {} is unchanged", temp,
          written, bytes.size(), std::strerror(err),
          err == ENOSPC || err == EFBIG || err == EDQUOT
              ? " (the disk is full or a size limit is reached)"
              : "",
          path));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw SafetensorsError(fmt::format("{}: flush failed: {}; {} is unchanged",
                                       temp, std::strerror(err), path));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw SafetensorsError(fmt::format("cannot rename {} to {}: {}; {} is "
                                       "unchanged",
                                       temp, path, std::strerror(err), path));
  }
}

std::string checkBinding(const SafetensorsFile &file,
                         const std::vector<ExpectedTensor> &expected) {
  std::set<std::string> names;
  for (const ExpectedTensor &e : expected)
    names.insert(e.name);
  return checkBinding(file, expected, [&](const std::string &name) {
    return names.count(name) != 0;
  });
}

std::string
checkBinding(const SafetensorsFile &file,
             const std::vector<ExpectedTensor> &expected,
             const std::function<bool(const std::string &)> &isKnown) {
  std::vector<std::string> missing, misshaped, unexpected;
  for (const ExpectedTensor &e : expected) {
    const TensorView *view = file.find(e.name);
    if (!view)
      missing.push_back(e.name);
    else if (view->shape != e.shape)
      misshaped.push_back(fmt::format("{} (file {}, model {})", e.name,
                                      formatShape(view->shape),
                                      formatShape(e.shape)));
  }
  if (isKnown)
    for (const TensorView &view : file.tensors())
      if (!isKnown(view.name))
        unexpected.push_back(view.name);
  if (missing.empty() && misshaped.empty() && unexpected.empty())
    return "";
  std::string message =
      fmt::format("{} does not match the model:", file.origin());
  auto section = [&](const char *title, const std::vector<std::string> &keys) {
    if (!keys.empty())
      message += fmt::format("\n  {} {} key(s): {}", keys.size(), title,
                             fmt::join(keys, ", "));
  };
  section("missing", missing);
  section("mis-shaped", misshaped);
  section("unexpected", unexpected);
  return message;
}

} // namespace clip::io
