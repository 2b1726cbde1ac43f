//===- Gzip.cpp - gzip decompression through zlib -------------------------===//
//
// zlib's inflate in gzip mode (it checks each member's header, CRC-32 and
// length); members are decompressed one after another, as Python's gzip
// module does. Errors name the offset in the compressed data.
//
//===----------------------------------------------------------------------===//

#include "runtime/text/Gzip.h"

#include <fmt/format.h>
#include <zlib.h>

#include <climits>

namespace clip::text {

std::string gunzip(const std::vector<uint8_t> &compressed) {
  if (compressed.size() < 2 || compressed[0] != 0x1f || compressed[1] != 0x8b)
    throw GzipError(fmt::format(
        "not gzip data: byte 0 starts 0x{:02x} 0x{:02x}, not the gzip magic "
        "0x1f 0x8b",
        compressed.size() > 0 ? compressed[0] : 0,
        compressed.size() > 1 ? compressed[1] : 0));
  if (compressed.size() > UINT_MAX)
    throw GzipError(fmt::format("{} bytes of gzip data: more than zlib reads "
                                "in one piece",
                                compressed.size()));
  z_stream z{};
  // 16 + MAX_WBITS: a gzip wrapper (header, CRC-32, length), not zlib's.
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
    throw GzipError("zlib: cannot start inflating");
  struct End {
    z_stream &z;
    ~End() { inflateEnd(&z); }
  } end{z};
  z.next_in = const_cast<Bytef *>(compressed.data());
  z.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef *>(buffer);
    z.avail_out = sizeof buffer;
    const int rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
    const size_t at = compressed.size() - z.avail_in;
    if (rc == Z_STREAM_END) {
      // Another member may follow (gzip files may be concatenated).
      if (z.avail_in == 0)
        return out;
      if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b)
        throw GzipError(fmt::format(
            "corrupt gzip data at byte {}: {} bytes after the last member "
            "are no gzip member",
            at, z.avail_in));
      inflateReset(&z);
      continue;
    }
    if (rc == Z_OK)
      continue;
    if (rc == Z_BUF_ERROR && z.avail_in == 0)
      throw GzipError(fmt::format(
          "truncated: the compressed data ends at byte {} inside a member",
          compressed.size()));
    // zlib names the problem ("incorrect data check" is the CRC-32,
    // "incorrect length check" the length).
    const std::string what = z.msg ? z.msg : fmt::format("zlib error {}", rc);
    throw GzipError(
        fmt::format("corrupt gzip data at byte {}: {}{}", at, what,
                    what == "incorrect data check"     ? " (CRC-32 mismatch)"
                    : what == "incorrect length check" ? " (length mismatch)"
                                                       : ""));
  }
}

uint32_t crc32(const uint8_t *data, size_t size, uint32_t crc) {
  // zlib's crc32 takes uInt lengths: feed it in pieces.
  uLong value = crc;
  while (size > 0) {
    const uInt piece = size > UINT_MAX ? UINT_MAX : static_cast<uInt>(size);
    value = ::crc32(value, data, piece);
    data += piece;
    size -= piece;
  }
  return static_cast<uint32_t>(value);
}

} // namespace clip::text
