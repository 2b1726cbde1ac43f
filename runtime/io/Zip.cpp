//===- Zip.cpp - The stored members of a zip archive ----------------------===//
#include "runtime/io/Zip.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace clip::io {

namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kZip64End = 0x06064b50;

/// Little-endian reads that check the range first.
class Reader {
public:
  Reader(const std::vector<uint8_t> &bytes, const std::string &origin)
      : bytes(bytes), origin(origin) {}

  void need(uint64_t at, uint64_t n, const char *what) const {
    if (at > bytes.size() || n > bytes.size() - at)
      throw ZipError(fmt::format(
          "{}: {} at byte {} ({} bytes) runs past the end of the file ({} "
          "bytes): truncated or not a zip archive",
          origin, what, at, n, bytes.size()));
  }
  uint64_t le(uint64_t at, int n, const char *what) const {
    need(at, n, what);
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
      v = v << 8 | bytes[at + i];
    return v;
  }

  const std::vector<uint8_t> &bytes;
  const std::string &origin;
};

} // namespace

bool looksLikeZip(const std::vector<uint8_t> &bytes) {
  return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' &&
         bytes[2] == 3 && bytes[3] == 4;
}

ZipArchive::ZipArchive(std::vector<uint8_t> bytes, std::string origin)
    : origin_(std::move(origin)), bytes_(std::move(bytes)) {
  const Reader r(bytes_, origin_);
  // The end-of-central-directory record: 22 bytes plus a comment of up to
  // 64 KiB, so search backwards from the end.
  if (bytes_.size() < 22)
    throw ZipError(fmt::format("{}: too short for a zip archive ({} bytes)",
                               origin_, bytes_.size()));
  uint64_t end = bytes_.size() - 22;
  const uint64_t lowest = end > 65535 ? end - 65535 : 0;
  while (r.le(end, 4, "end of central directory") != kEndOfDirectory) {
    if (end == lowest)
      throw ZipError(fmt::format(
          "{}: no end-of-central-directory record: not a zip archive, or "
          "truncated",
          origin_));
    --end;
  }
  uint64_t count = r.le(end + 10, 2, "entry count");
  uint64_t directorySize = r.le(end + 12, 4, "directory size");
  uint64_t directory = r.le(end + 16, 4, "directory offset");
  // ZIP64: the locator sits just before the record and points at the
  // 64-bit record, whose fields replace the saturated 16/32-bit ones.
  if (end >= 20 && r.le(end - 20, 4, "ZIP64 locator") == kZip64Locator) {
    const uint64_t record = r.le(end - 20 + 8, 8, "ZIP64 record offset");
    if (r.le(record, 4, "ZIP64 end of central directory") != kZip64End)
      throw ZipError(fmt::format(
          "{}: the ZIP64 locator points at byte {}, which holds no ZIP64 "
          "end-of-central-directory record",
          origin_, record));
    count = r.le(record + 32, 8, "ZIP64 entry count");
    directorySize = r.le(record + 40, 8, "ZIP64 directory size");
    directory = r.le(record + 48, 8, "ZIP64 directory offset");
  }
  r.need(directory, directorySize, "the central directory");

  uint64_t at = directory;
  for (uint64_t i = 0; i < count; ++i) {
    if (r.le(at, 4, "central directory header") != kCentralHeader)
      throw ZipError(fmt::format(
          "{}: central directory entry {} at byte {} has a bad signature",
          origin_, i, at));
    Member m;
    m.method = static_cast<uint16_t>(r.le(at + 10, 2, "compression method"));
    uint64_t compressed = r.le(at + 20, 4, "compressed size");
    uint64_t size = r.le(at + 24, 4, "size");
    const uint64_t nameLength = r.le(at + 28, 2, "name length");
    const uint64_t extraLength = r.le(at + 30, 2, "extra length");
    const uint64_t commentLength = r.le(at + 32, 2, "comment length");
    uint64_t local = r.le(at + 42, 4, "local header offset");
    r.need(at + 46, nameLength, "member name");
    std::string name(reinterpret_cast<const char *>(&bytes_[at + 46]),
                     nameLength);
    // The ZIP64 extra field holds, in this order, whichever of size,
    // compressed size and offset are saturated.
    for (uint64_t e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
      const uint64_t id = r.le(e, 2, "extra field id");
      const uint64_t length = r.le(e + 2, 2, "extra field length");
      if (id == 0x0001) {
        uint64_t f = e + 4;
        if (size == 0xffffffff) { size = r.le(f, 8, "ZIP64 size"); f += 8; }
        if (compressed == 0xffffffff) { compressed = r.le(f, 8, "ZIP64 compressed size"); f += 8; }
        if (local == 0xffffffff) local = r.le(f, 8, "ZIP64 offset");
      }
      e += 4 + length;
    }
    if (r.le(local, 4, "local header") != kLocalHeader)
      throw ZipError(fmt::format(
          "{}: member `{}`: no local header at byte {}", origin_, name, local));
    m.dataOffset = local + 30 + r.le(local + 26, 2, "local name length") +
                   r.le(local + 28, 2, "local extra length");
    m.size = m.method == 0 ? size : compressed;
    r.need(m.dataOffset, m.size, ("member " + name).c_str());
    if (!members_.emplace(name, m).second)
      throw ZipError(fmt::format("{}: member `{}` appears twice", origin_,
                                 name));
    names_.push_back(std::move(name));
    at += 46 + nameLength + extraLength + commentLength;
  }
}

ByteRange ZipArchive::member(const std::string &name) const {
  auto it = members_.find(name);
  if (it == members_.end())
    throw ZipError(fmt::format("{}: no member `{}`", origin_, name));
  if (it->second.method != 0)
    throw ZipError(fmt::format(
        "{}: member `{}` is compressed (method {}); torch.save stores members "
        "uncompressed, so this archive was repacked: unzip and re-save it, or "
        "convert it where PyTorch runs",
        origin_, name, it->second.method));
  return {bytes_.data() + it->second.dataOffset,
          static_cast<size_t>(it->second.size)};
}

} // namespace clip::io
