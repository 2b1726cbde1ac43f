//===- Zip.h - The stored (uncompressed) members of a zip archive ----------===//
//
// torch.save writes a zip archive (PKWARE APPNOTE 6.3) whose members are
// stored, not deflated, so that tensors can be mapped in place; this reads
// exactly that: the central directory (ZIP64 included, for checkpoints over
// 4 GiB), each member's local header, and the bytes of stored members.
// Every offset and size is checked against the file before use.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_IO_ZIP_H
#define CLIP_RUNTIME_IO_ZIP_H

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace clip::io {

class ZipError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// True when `bytes` start like a zip archive (a local file header).
bool looksLikeZip(const std::vector<uint8_t> &bytes);

/// A member's bytes inside the archive's buffer.
struct ByteRange {
  const uint8_t *data = nullptr;
  size_t size = 0;
};

class ZipArchive {
public:
  /// Indexes an archive held in memory; `origin` names it in messages.
  ZipArchive(std::vector<uint8_t> bytes, std::string origin);

  /// Member names in archive order.
  const std::vector<std::string> &names() const { return names_; }
  bool contains(const std::string &name) const {
    return members_.count(name) != 0;
  }
  /// The bytes of a stored member; throws naming it when it is missing or
  /// compressed.
  ByteRange member(const std::string &name) const;
  const std::string &origin() const { return origin_; }

private:
  struct Member {
    uint64_t dataOffset = 0, size = 0;
    uint16_t method = 0;
  };
  std::string origin_;
  std::vector<uint8_t> bytes_;
  std::vector<std::string> names_;
  std::map<std::string, Member> members_;
};

} // namespace clip::io

#endif // CLIP_RUNTIME_IO_ZIP_H
