//===- Gzip.h - gzip (RFC 1952) / DEFLATE (RFC 1951) decompression --------===//
//
// The tokenizer's vocabulary file, through zlib (the Fashion-MNIST reader
// links it already). Every member's CRC-32 and length are checked;
// concatenated members are decompressed one after another (as Python's gzip
// module does).
//
// Runtime code: plain C++17, no MLIR or LLVM.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TEXT_GZIP_H
#define CLIP_RUNTIME_TEXT_GZIP_H

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace clip::text {

class GzipError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Decompresses a whole gzip file image. Throws GzipError saying what is
/// wrong and at which byte offset of the compressed data.
std::string gunzip(const std::vector<uint8_t> &compressed);

/// CRC-32 (IEEE 802.3, as gzip and zlib compute it) of `size` bytes.
uint32_t crc32(const uint8_t *data, size_t size, uint32_t crc = 0);

} // namespace clip::text

#endif // CLIP_RUNTIME_TEXT_GZIP_H
