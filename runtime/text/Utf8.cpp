//===- Utf8.cpp - UTF-8 to code points and back, as Python does -----------===//
//
// Captions arrive as bytes and the tokenizer's symbols leave as bytes; in
// between, text is code points (TextClean.h). Decoding replaces invalid input
// exactly as bytes.decode('utf-8', errors='replace') does, so that a caption
// with broken bytes gets the ids OpenCLIP gives it.
//
//===----------------------------------------------------------------------===//
#include "runtime/text/TextClean.h"

#include <cstdint>

namespace clip::text::detail {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

} // namespace

std::u32string decodeUtf8(std::string_view b) {
  std::u32string out;
  out.reserve(b.size());
  size_t n = b.size();
  auto at = [&](size_t k) { return uint8_t(b[k]); };
  for (size_t i = 0; i < n;) {
    uint8_t c0 = at(i);
    if (c0 < 0x80) {
      out.push_back(c0);
      ++i;
      continue;
    }
    // The number of bytes of the maximal valid prefix, Unicode 3.9 table 3-7.
    size_t need;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c0 >= 0xc2 && c0 <= 0xdf) {
      need = 1;
    } else if (c0 >= 0xe0 && c0 <= 0xef) {
      need = 2;
      if (c0 == 0xe0)
        lo = 0xa0;
      if (c0 == 0xed)
        hi = 0x9f;
    } else if (c0 >= 0xf0 && c0 <= 0xf4) {
      need = 3;
      if (c0 == 0xf0)
        lo = 0x90;
      if (c0 == 0xf4)
        hi = 0x8f;
    } else {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    char32_t cp = c0 & (need == 1 ? 0x1f : need == 2 ? 0x0f : 0x07);
    size_t k = 1;
    for (; k <= need; ++k) {
      if (i + k >= n)
        break;
      uint8_t ck = at(i + k);
      uint8_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xbf;
      if (ck < l || ck > h)
        break;
      cp = cp << 6 | (ck & 0x3f);
    }
    if (k > need) {
      out.push_back(cp);
      i += need + 1;
    } else {
      out.push_back(kReplacement);
      i += k; // the maximal subpart, then resynchronize on the offending byte
    }
  }
  return out;
}

void appendUtf8(std::string &out, char32_t c) {
  if (c < 0x80) {
    out.push_back(char(c));
  } else if (c < 0x800) {
    out.push_back(char(0xc0 | c >> 6));
    out.push_back(char(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out.push_back(char(0xe0 | c >> 12));
    out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(char(0x80 | (c & 0x3f)));
  } else {
    out.push_back(char(0xf0 | c >> 18));
    out.push_back(char(0x80 | ((c >> 12) & 0x3f)));
    out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
    out.push_back(char(0x80 | (c & 0x3f)));
  }
}

std::string encodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text)
    appendUtf8(out, c);
  return out;
}

} // namespace clip::text::detail
