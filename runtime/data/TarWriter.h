//===- TarWriter.h - Writing WebDataset tar shards --------------*- C++ -*-===//
//
// POSIX ustar members (a pax 'x' header carries names over 99 bytes), the
// two zero blocks at the end; written to a temporary file beside the shard
// and renamed on finish(), so a crash never leaves a half shard under its
// name. What TarDataset reads.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_TARWRITER_H
#define CLIP_RUNTIME_DATA_TARWRITER_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace clip::data {

class TarWriter {
public:
  /// Throws DataError when the temporary file cannot be created.
  explicit TarWriter(std::string path);
  ~TarWriter(); // without finish(): the temporary file is removed
  TarWriter(const TarWriter &) = delete;
  TarWriter &operator=(const TarWriter &) = delete;

  void add(const std::string &name, const std::vector<uint8_t> &bytes);
  void add(const std::string &name, const std::string &text);
  /// Ends the archive, flushes it to disk and renames it into place.
  void finish();
  int64_t members() const { return members_; }

private:
  void header(const std::string &name, uint64_t size, char type);
  void write(const void *data, size_t size);

  std::string path_, temporary_;
  std::FILE *file_ = nullptr;
  int64_t members_ = 0;
};

/// A ustar header block for `name` of `size` bytes (type '0' file, 'x' pax).
std::vector<uint8_t> tarHeader(const std::string &name, uint64_t size,
                               char type);

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_TARWRITER_H
