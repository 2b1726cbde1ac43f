//===- HtmlUnescape.cpp - Python's html.unescape --------------------------===//
//
// html.unescape as Python 3.11 writes it: its _charref pattern as a loop,
// numeric references with _invalid_charrefs and _invalid_codepoints, and
// named references (with or without ';', else their longest known prefix)
// from html.entities.html5. OpenCLIP runs it twice on every caption.
//
// This file also owns ftfy's entity table (both are in HtmlEntities.inc) and
// lends it to Ftfy.cpp through ftfyEntityLookup.
//
//===----------------------------------------------------------------------===//
#include "runtime/text/TextClean.h"
#include "runtime/text/TextInternal.h"

#include <cstdint>

namespace clip::text::detail {
namespace {

#include "runtime/text/HtmlEntities.inc"

// --- html.unescape -----------------------------------------------------------

const HtmlEntity *html5Lookup(std::string_view name) {
  return findSorted(kHtml5Entities, name, [](const HtmlEntity &e) {
    return std::string_view(e.name);
  });
}

/// html._replace_charref for a numeric reference: the value's replacement.
void appendNumericCharref(std::u32string &out,
                          uint32_t num /* saturated at 0x110000 */) {
  // _invalid_charrefs
  if (num == 0x00) {
    out.push_back(0xFFFD);
    return;
  }
  if (num == 0x0d) {
    out.push_back('\r');
    return;
  }
  if (num >= 0x80 && num <= 0x9f) {
    static constexpr char32_t kC1[32] = {
        0x20ac, 0x81,   0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
        0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,   0x017d, 0x8f,
        0x90,   0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
        0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d,   0x017e, 0x0178};
    out.push_back(kC1[num - 0x80]);
    return;
  }
  if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
    out.push_back(0xFFFD);
    return;
  }
  // _invalid_codepoints
  if ((num >= 0x1 && num <= 0x8) || (num >= 0xe && num <= 0x1f) ||
      (num >= 0x7f && num <= 0x9f) || (num >= 0xfdd0 && num <= 0xfdef) ||
      num == 0xb || (num & 0xfffe) == 0xfffe)
    return;
  out.push_back(char32_t(num));
}

} // namespace

std::u32string htmlUnescape(std::u32string_view s) {
  if (s.find(U'&') == std::u32string_view::npos)
    return std::u32string(s);
  std::u32string out;
  out.reserve(s.size());
  size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    if (s[i] != U'&') {
      out.push_back(s[i++]);
      continue;
    }
    // _charref: &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)
    size_t j = i + 1;
    if (j < n && s[j] == U'#') {
      bool hex = false;
      size_t k = j + 1;
      if (k < n && isAsciiDigit(s[k])) {
        // decimal
      } else if (k + 1 < n && (s[k] == U'x' || s[k] == U'X') &&
                 isAsciiHex(s[k + 1])) {
        hex = true;
        ++k;
      } else {
        out.push_back(s[i++]); // no match at this '&'
        continue;
      }
      uint32_t num = 0;
      while (k < n && (hex ? isAsciiHex(s[k]) : isAsciiDigit(s[k]))) {
        char32_t c = s[k];
        uint32_t d = isAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
        uint64_t v = uint64_t(num) * (hex ? 16 : 10) + d;
        num = v > 0x110000 ? 0x110000 : uint32_t(v);
        ++k;
      }
      if (k < n && s[k] == U';')
        ++k;
      appendNumericCharref(out, num);
      i = k;
      continue;
    }
    size_t k = j;
    while (k < n && k - j < 32) {
      char32_t c = s[k];
      if (c == U'\t' || c == U'\n' || c == U'\f' || c == U' ' || c == U'<' ||
          c == U'&' || c == U'#' || c == U';')
        break;
      ++k;
    }
    if (k == j) {
      out.push_back(s[i++]);
      continue;
    }
    if (k < n && s[k] == U';')
      ++k;
    std::u32string_view name = s.substr(j, k - j);
    // named charref: the whole name, else its longest prefix (of 2+ chars).
    bool done = false;
    if (auto ascii = asciiOf(name)) {
      if (const HtmlEntity *e = html5Lookup(*ascii)) {
        out += e->value;
        done = true;
      }
    }
    for (size_t x = name.size() - 1; !done && x > 1; --x) {
      if (auto ascii = asciiOf(name.substr(0, x))) {
        if (const HtmlEntity *e = html5Lookup(*ascii)) {
          out += e->value;
          out += name.substr(x);
          done = true;
        }
      }
    }
    if (!done) {
      out.push_back(U'&');
      out += name;
    }
    i = k;
  }
  return out;
}

const HtmlEntity *ftfyEntityLookup(std::string_view key) {
  return findSorted(kFtfyEntities, key, [](const HtmlEntity &x) {
    return std::string_view(x.name);
  });
}

} // namespace clip::text::detail
