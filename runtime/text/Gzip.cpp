//===- Gzip.cpp - gzip / DEFLATE decompression ----------------------------===//
//
// DEFLATE decoding follows RFC 1951 directly (canonical Huffman codes decoded
// through a first-level lookup table of kFastBits bits, longer codes by
// counting), the gzip wrapper RFC 1952.
//
//===----------------------------------------------------------------------===//
#include "runtime/text/Gzip.h"

#include <array>
#include <fmt/format.h>

namespace clip::text {
namespace {

constexpr int kMaxBits = 15;
constexpr int kFastBits = 10;

/// A canonical Huffman code: counts per length, symbols in code order, and a
/// table for codes of up to kFastBits bits (indexed by the next kFastBits
/// input bits, least significant first).
struct Huffman {
  std::array<uint16_t, kMaxBits + 1> count{};
  std::vector<uint16_t> symbol;
  // entry: symbol << 4 | length; length 0: not decodable through the table.
  std::array<uint16_t, 1u << kFastBits> fast{};
};

class Inflater {
public:
  Inflater(const uint8_t *data, size_t size, size_t offset)
      : data_(data), size_(size), pos_(offset) {}

  size_t position() const { return pos_; }

  [[noreturn]] void fail(const std::string &what) const {
    throw GzipError(
        fmt::format("corrupt deflate data at byte {}: {}", pos_, what));
  }

  uint32_t bits(int n) {
    while (bitCount_ < n) {
      if (pos_ >= size_)
        throw GzipError(
            fmt::format("truncated: the compressed data ends at byte {} "
                        "inside a deflate stream",
                        size_));
      bitBuf_ |= uint64_t(data_[pos_++]) << bitCount_;
      bitCount_ += 8;
    }
    uint32_t v = uint32_t(bitBuf_ & ((uint64_t(1) << n) - 1));
    bitBuf_ >>= n;
    bitCount_ -= n;
    return v;
  }

  /// Fills the bit buffer as far as the input allows (for table lookups
  /// near the end of the data).
  void refill() {
    while (bitCount_ <= 56 && pos_ < size_) {
      bitBuf_ |= uint64_t(data_[pos_++]) << bitCount_;
      bitCount_ += 8;
    }
  }

  void build(Huffman &h, const uint16_t *lengths, int n) {
    h.count.fill(0);
    for (int i = 0; i < n; ++i)
      h.count[lengths[i]]++;
    if (h.count[0] == n) {
      h.symbol.clear();
      h.fast.fill(0);
      return; // no codes (allowed for the distance code)
    }
    int left = 1;
    for (int len = 1; len <= kMaxBits; ++len) {
      left <<= 1;
      left -= h.count[len];
      if (left < 0)
        fail("over-subscribed Huffman code");
    }
    std::array<uint16_t, kMaxBits + 2> offs{};
    for (int len = 1; len < kMaxBits; ++len)
      offs[len + 1] = offs[len] + h.count[len];
    h.symbol.assign(n, 0);
    for (int s = 0; s < n; ++s)
      if (lengths[s])
        h.symbol[offs[lengths[s]]++] = uint16_t(s);
    // The fast table: walk the codes in canonical order.
    h.fast.fill(0);
    uint32_t code = 0;
    int index = 0;
    for (int len = 1; len <= kFastBits; ++len) {
      for (int k = 0; k < h.count[len]; ++k, ++index, ++code) {
        // Codes are stored most significant bit first in the stream:
        // reverse them to index by the buffer's next bits.
        uint32_t rev = 0;
        for (int b = 0; b < len; ++b)
          rev |= ((code >> b) & 1u) << (len - 1 - b);
        for (uint32_t fill = rev; fill < (1u << kFastBits); fill += 1u << len)
          h.fast[fill] = uint16_t(h.symbol[index] << 4 | len);
      }
      code <<= 1;
    }
  }

  int decode(const Huffman &h) {
    if (bitCount_ < kMaxBits)
      refill();
    uint16_t e = h.fast[bitBuf_ & ((1u << kFastBits) - 1)];
    int len = e & 15;
    if (len && len <= bitCount_) {
      bitBuf_ >>= len;
      bitCount_ -= len;
      return e >> 4;
    }
    // Slow path (puff's decode): one bit at a time.
    int code = 0, first = 0, index = 0;
    for (int l = 1; l <= kMaxBits; ++l) {
      code |= int(bits(1));
      int count = h.count[l];
      if (code - count < first)
        return h.symbol[index + (code - first)];
      index += count;
      first += count;
      first <<= 1;
      code <<= 1;
    }
    fail("invalid Huffman code");
  }

  void inflateBlock(std::string &out, const Huffman &lit, const Huffman &dist) {
    static constexpr uint16_t kLenBase[29] = {
        3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
        31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    static constexpr uint8_t kLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
                                              1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                              4, 4, 4, 4, 5, 5, 5, 5, 0};
    static constexpr uint16_t kDistBase[30] = {
        1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
        33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
        1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    static constexpr uint8_t kDistExtra[30] = {
        0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
        6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    for (;;) {
      int sym = decode(lit);
      if (sym < 256) {
        out.push_back(char(sym));
      } else if (sym == 256) {
        return;
      } else {
        sym -= 257;
        if (sym >= 29)
          fail("invalid length symbol");
        size_t len = kLenBase[sym] + bits(kLenExtra[sym]);
        int dsym = decode(dist);
        if (dsym >= 30)
          fail("invalid distance symbol");
        size_t d = kDistBase[dsym] + bits(kDistExtra[dsym]);
        if (d > out.size() - memberStart_)
          fail(fmt::format("distance {} reaches before the start of the output",
                           d));
        size_t from = out.size() - d;
        for (size_t i = 0; i < len; ++i)
          out.push_back(out[from + i]);
      }
    }
  }

  void stored(std::string &out) {
    bitBuf_ = 0; // discard the rest of the current byte
    // Give back whole bytes still in the buffer.
    pos_ -= size_t(bitCount_ / 8);
    bitCount_ = 0;
    if (size_ - pos_ < 4)
      throw GzipError(
          fmt::format("truncated: the compressed data ends at byte {} inside "
                      "a stored block header",
                      size_));
    unsigned len = data_[pos_] | data_[pos_ + 1] << 8;
    unsigned nlen = data_[pos_ + 2] | data_[pos_ + 3] << 8;
    if (len != (~nlen & 0xffffu))
      fail("stored block length does not match its complement");
    pos_ += 4;
    if (size_ - pos_ < len)
      throw GzipError(
          fmt::format("truncated: the compressed data ends at byte {} inside "
                      "a stored block",
                      size_));
    out.append(reinterpret_cast<const char *>(data_ + pos_), len);
    pos_ += len;
  }

  void fixedTables(Huffman &lit, Huffman &dist) {
    uint16_t lengths[288];
    int s = 0;
    for (; s < 144; ++s)
      lengths[s] = 8;
    for (; s < 256; ++s)
      lengths[s] = 9;
    for (; s < 280; ++s)
      lengths[s] = 7;
    for (; s < 288; ++s)
      lengths[s] = 8;
    build(lit, lengths, 288);
    for (s = 0; s < 30; ++s)
      lengths[s] = 5;
    build(dist, lengths, 30);
  }

  void dynamicTables(Huffman &lit, Huffman &dist) {
    static constexpr uint8_t kOrder[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                           11, 4,  12, 3, 13, 2, 14, 1, 15};
    int nlen = int(bits(5)) + 257, ndist = int(bits(5)) + 1,
        ncode = int(bits(4)) + 4;
    if (nlen > 286 || ndist > 30)
      fail("bad counts in a dynamic block header");
    uint16_t lengths[320] = {};
    for (int i = 0; i < ncode; ++i)
      lengths[kOrder[i]] = uint16_t(bits(3));
    Huffman lencode;
    build(lencode, lengths, 19);
    int index = 0;
    while (index < nlen + ndist) {
      int sym = decode(lencode);
      if (sym < 16) {
        lengths[index++] = uint16_t(sym);
        continue;
      }
      int len = 0, repeat;
      if (sym == 16) {
        if (index == 0)
          fail("repeat with no first length");
        len = lengths[index - 1];
        repeat = 3 + int(bits(2));
      } else if (sym == 17) {
        repeat = 3 + int(bits(3));
      } else {
        repeat = 11 + int(bits(7));
      }
      if (index + repeat > nlen + ndist)
        fail("too many code lengths");
      while (repeat--)
        lengths[index++] = uint16_t(len);
    }
    if (lengths[256] == 0)
      fail("no end-of-block code");
    build(lit, lengths, nlen);
    build(dist, lengths + nlen, ndist);
  }

  /// Inflates one raw deflate stream, appending to `out`.
  void inflate(std::string &out) {
    memberStart_ = out.size();
    bitBuf_ = 0;
    bitCount_ = 0;
    Huffman lit, dist;
    int last;
    do {
      last = int(bits(1));
      int type = int(bits(2));
      if (type == 0) {
        stored(out);
      } else if (type == 1) {
        fixedTables(lit, dist);
        inflateBlock(out, lit, dist);
      } else if (type == 2) {
        dynamicTables(lit, dist);
        inflateBlock(out, lit, dist);
      } else {
        fail("invalid block type 3");
      }
    } while (!last);
    // Unused whole bytes in the bit buffer belong to the trailer.
    pos_ -= size_t(bitCount_ / 8);
    bitBuf_ = 0;
    bitCount_ = 0;
  }

private:
  const uint8_t *data_;
  size_t size_;
  size_t pos_;
  uint64_t bitBuf_ = 0;
  int bitCount_ = 0;
  size_t memberStart_ = 0;
};

constexpr std::array<uint32_t, 256> makeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k)
      c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

} // namespace

uint32_t crc32(const uint8_t *data, size_t size, uint32_t crc) {
  static constexpr std::array<uint32_t, 256> table = makeCrcTable();
  crc = ~crc;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::string gunzip(const std::vector<uint8_t> &in) {
  std::string out;
  size_t pos = 0;
  int member = 0;
  auto need = [&](size_t n, const char *what) {
    if (in.size() - pos < n)
      throw GzipError(fmt::format(
          "truncated: the data ends at byte {} inside {}", in.size(), what));
  };
  while (pos < in.size()) {
    // Python's gzip ignores zero padding after the last member.
    if (member > 0) {
      bool allZero = true;
      for (size_t i = pos; i < in.size(); ++i)
        allZero = allZero && in[i] == 0;
      if (allZero)
        break;
    }
    need(10, "a gzip header");
    if (in[pos] != 0x1f || in[pos + 1] != 0x8b)
      throw GzipError(fmt::format(
          "not gzip data: byte {} starts 0x{:02x} 0x{:02x}, not the "
          "gzip magic 0x1f 0x8b",
          pos, in[pos], in[pos + 1]));
    if (in[pos + 2] != 8)
      throw GzipError(fmt::format(
          "unknown gzip compression method {} (8 is deflate)", in[pos + 2]));
    uint8_t flags = in[pos + 3];
    if (flags & 0xe0)
      throw GzipError(
          fmt::format("reserved gzip header flags set (0x{:02x})", flags));
    pos += 10;
    if (flags & 4) { // FEXTRA
      need(2, "a gzip header");
      size_t xlen = in[pos] | in[pos + 1] << 8;
      pos += 2;
      need(xlen, "a gzip header");
      pos += xlen;
    }
    for (int bit : {8, 16}) { // FNAME, FCOMMENT: zero-terminated
      if (flags & bit) {
        while (pos < in.size() && in[pos] != 0)
          ++pos;
        need(1, "a gzip header");
        ++pos;
      }
    }
    if (flags & 2) { // FHCRC
      need(2, "a gzip header");
      pos += 2;
    }
    size_t start = out.size();
    Inflater inflater(in.data(), in.size(), pos);
    inflater.inflate(out);
    pos = inflater.position();
    need(8, "the gzip trailer (CRC-32 and length)");
    uint32_t crc = uint32_t(in[pos]) | uint32_t(in[pos + 1]) << 8 |
                   uint32_t(in[pos + 2]) << 16 | uint32_t(in[pos + 3]) << 24;
    uint32_t isize = uint32_t(in[pos + 4]) | uint32_t(in[pos + 5]) << 8 |
                     uint32_t(in[pos + 6]) << 16 | uint32_t(in[pos + 7]) << 24;
    pos += 8;
    uint32_t actual =
        crc32(reinterpret_cast<const uint8_t *>(out.data()) + start,
              out.size() - start);
    if (actual != crc)
      throw GzipError(fmt::format(
          "CRC-32 mismatch: the data says 0x{:08x}, the decompressed "
          "bytes give 0x{:08x}",
          crc, actual));
    if (isize != uint32_t(out.size() - start))
      throw GzipError(
          fmt::format("length mismatch: the trailer says {} bytes, {} were "
                      "decompressed",
                      isize, out.size() - start));
    ++member;
  }
  if (member == 0)
    throw GzipError("empty file (no gzip member)");
  return out;
}

} // namespace clip::text
