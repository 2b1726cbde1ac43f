//===- Ftfy.cpp - ftfy.fix_text (ftfy 6.3, default configuration) ---------===//
//
// What ftfy does to a caption before OpenCLIP sees it: unescape_html,
// fix_encoding (mojibake undone by re-encoding in a single-byte charset and
// decoding as UTF-8, guided by BADNESS_RE), the per-character translations,
// fix_line_breaks, remove_terminal_escapes, remove_control_chars and NFC, on
// each line until it stops changing. Each function names the Python it
// reproduces. ftfy's regular expressions are written out as loops; the
// character classes they use come from the generated tables, which were
// computed from those very expressions.
//
//===----------------------------------------------------------------------===//
#include "runtime/text/TextClean.h"
#include "runtime/text/TextInternal.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

namespace clip::text::detail {
namespace {

// --- Generated tables --------------------------------------------------------

struct Translation {
  char32_t cp;
  const char32_t *to;
};
struct BadnessElement {
  uint8_t cls, min, max;
};
struct BadnessAlternative {
  bool anchored;
  int count;
  BadnessElement elements[8];
};

// Its array sizes (kNumEncodings, kBadnessAlternatives) are in TextInternal.h.
#include "runtime/text/FtfyTables.inc"

static_assert(kBadnessMaxElements <= 8,
              "BadnessAlternative::elements is too small");
static_assert(kBadnessAlternatives <= 64, "badStarts is a 64-bit mask");

bool allAscii(std::u32string_view s) {
  for (char32_t c : s)
    if (c >= 0x80)
      return false;
  return true;
}

// --- ftfy.fixes.unescape_html
// --------------------------------------------------

/// HTML_ENTITY_RE = &#?[0-9A-Za-z]{1,24};  with _unescape_fixup.
bool ftfyUnescapeHtml(std::u32string &text) {
  if (text.find(U'&') == std::u32string::npos)
    return false;
  std::u32string out;
  out.reserve(text.size());
  size_t n = text.size();
  size_t i = 0;
  bool changed = false;
  while (i < n) {
    if (text[i] != U'&') {
      out.push_back(text[i++]);
      continue;
    }
    size_t j = i + 1;
    if (j < n && text[j] == U'#')
      ++j;
    size_t k = j;
    while (k < n && isAsciiAlnum(text[k]))
      ++k;
    size_t run = k - j;
    if (run < 1 || run > 24 || k >= n || text[k] != U';') {
      out.push_back(text[i++]);
      continue;
    }
    std::u32string_view match(text.data() + i, k + 1 - i);
    std::string key = *asciiOf(match);
    const HtmlEntity *e = ftfyEntityLookup(key);
    if (e) {
      out += e->value;
      changed = true;
    } else if (match.size() >= 2 && match[1] == U'#') {
      std::u32string unescaped = htmlUnescape(match);
      if (unescaped.find(U';') != std::u32string::npos) {
        out += match;
      } else {
        out += unescaped;
        changed = true;
      }
    } else {
      out += match;
    }
    i = k + 1;
  }
  if (changed)
    text = std::move(out);
  return changed;
}

// --- ftfy.badness.is_bad
// -----------------------------------------------------------

inline bool inBadClass(char32_t c, int cls) {
  const CharRecord &r = rec(c);
  return cls < 64 ? (r.badLo >> cls) & 1 : (r.badHi >> (cls - 64)) & 1;
}

bool matchBadElements(std::u32string_view s, const BadnessAlternative &alt,
                      int e, size_t pos) {
  if (e == alt.count)
    return true;
  const BadnessElement &el = alt.elements[e];
  // Greedy with backtracking: take as many as allowed, then give back.
  size_t taken = 0;
  while (taken < el.max && pos + taken < s.size() &&
         inBadClass(s[pos + taken], el.cls))
    ++taken;
  for (size_t t = taken + 1; t-- > el.min;) {
    if (matchBadElements(s, alt, e + 1, pos + t))
      return true;
  }
  return false;
}

/// bool(BADNESS_RE.search(text))
bool isBad(std::u32string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    uint64_t starts = rec(s[i]).badStarts;
    while (starts) {
      int a = __builtin_ctzll(starts);
      starts &= starts - 1;
      const BadnessAlternative &alt = kBadnessAlternativesTable[a];
      if (alt.anchored && i != 0)
        continue;
      if (matchBadElements(s, alt, 0, i))
        return true;
    }
  }
  return false;
}

// --- ftfy's single-byte encodings and UTF-8 variants
// ----------------------------

constexpr int kLatin1 = 0, kSloppy1252 = 1;

bool possibleEncoding(std::u32string_view s, int enc) {
  uint32_t flag = kFlagEnc0 << enc;
  for (char32_t c : s)
    if (!(rec(c).flags & flag))
      return false;
  return true;
}

std::string encodeCharmap(std::u32string_view s, int enc) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (c < 0x80 && kEncodingDecode[enc][c] == c) {
      out.push_back(char(c));
      continue;
    }
    int b = 0x80;
    for (; b < 0x100; ++b)
      if (kEncodingDecode[enc][b] == c)
        break;
    if (b == 0x100) {
      for (b = 0; b < 0x80; ++b)
        if (kEncodingDecode[enc][b] == c)
          break;
    }
    // possibleEncoding() was checked: every character has a byte.
    out.push_back(char(b & 0xff));
  }
  return out;
}

bool isEncodingSloppy(int enc) {
  return std::strncmp(kEncodingNames[enc], "sloppy", 6) == 0;
}
bool isEncodingMacRoman(int enc) {
  return std::strcmp(kEncodingNames[enc], "macroman") == 0;
}

inline uint8_t byteAt(const std::string &b, size_t i) { return uint8_t(b[i]); }

/// ALTERED_UTF8_RE at position i: the match length, or 0.
size_t alteredMatch(const std::string &b, size_t i) {
  size_t n = b.size();
  auto at = [&](size_t k) -> int { return i + k < n ? byteAt(b, i + k) : -1; };
  auto cont = [](int x) { return x >= 0x80 && x <= 0xbf; };
  auto contNo85A0 = [](int x) {
    return (x >= 0x80 && x <= 0x84) || (x >= 0x86 && x <= 0x9f) ||
           (x >= 0xa1 && x <= 0xbf);
  };
  int b0 = at(0);
  if ((b0 == 0xc2 || b0 == 0xc3 || b0 == 0xc5 || b0 == 0xce || b0 == 0xd0 ||
       b0 == 0xd9) &&
      at(1) == 0x20)
    return 2;
  if ((b0 == 0xe2 || b0 == 0xe3) && at(1) == 0x20 && contNo85A0(at(2)))
    return 3;
  if (b0 >= 0xe0 && b0 <= 0xe3 && contNo85A0(at(1)) && at(2) == 0x20)
    return 3;
  if (b0 == 0xf0) {
    if (at(1) == 0x20 && cont(at(2)) && cont(at(3)))
      return 4;
    if (cont(at(1)) && at(2) == 0x20 && cont(at(3)))
      return 4;
    if (cont(at(1)) && cont(at(2)) && at(3) == 0x20)
      return 4;
  }
  return 0;
}

bool alteredSearch(const std::string &b) {
  for (size_t i = 0; i < b.size(); ++i)
    if (alteredMatch(b, i))
      return true;
  return false;
}

/// fixes.restore_byte_a0
std::string restoreByteA0(const std::string &in) {
  // A_GRAVE_WORD_RE = \xc3 (?! |quele|quela|quilo|s )  ->  \xc3\xa0 + space
  std::string b;
  b.reserve(in.size() + 8);
  for (size_t i = 0; i < in.size();) {
    if (byteAt(in, i) == 0xc3 && i + 1 < in.size() && in[i + 1] == ' ') {
      std::string_view rest(in.data() + i + 2, in.size() - i - 2);
      auto starts = [&](std::string_view p) {
        return rest.substr(0, p.size()) == p;
      };
      if (!(starts(" ") || starts("quele") || starts("quela") ||
            starts("quilo") || starts("s "))) {
        b += "\xc3\xa0 ";
        i += 2;
        continue;
      }
    }
    b.push_back(in[i++]);
  }
  std::string out;
  out.reserve(b.size());
  for (size_t i = 0; i < b.size();) {
    size_t len = alteredMatch(b, i);
    if (!len) {
      out.push_back(b[i++]);
      continue;
    }
    for (size_t k = 0; k < len; ++k)
      out.push_back(b[i + k] == ' ' ? char(0xa0) : b[i + k]);
    i += len;
  }
  return out;
}

/// LOSSY_UTF8_RE at position i: the match length, or 0.
size_t lossyMatch(const std::string &b, size_t i) {
  size_t n = b.size();
  auto at = [&](size_t k) -> int { return i + k < n ? byteAt(b, i + k) : -1; };
  auto sub = [](int x) { return x == 0x1a; };
  auto subQ = [](int x) { return x == 0x1a || x == '?'; };
  auto subC = [](int x) { return x == 0x1a || (x >= 0x80 && x <= 0xbf); };
  auto subQC = [](int x) {
    return x == 0x1a || x == '?' || (x >= 0x80 && x <= 0xbf);
  };
  int b0 = at(0);
  if (b0 >= 0xc2 && b0 <= 0xdf && sub(at(1)))
    return 2;
  if ((b0 == 0xc2 || b0 == 0xc3) && at(1) == '?')
    return 2;
  if (b0 == 0xed) {
    int b1 = at(1), b4 = at(4);
    bool hi = b1 >= 0xa0 && b1 <= 0xaf, lo = b4 >= 0xb0 && b4 <= 0xbf;
    if (hi && subQ(at(2)) && at(3) == 0xed && lo && subQC(at(5)))
      return 6;
    if (hi && subQC(at(2)) && at(3) == 0xed && lo && subQ(at(5)))
      return 6;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (subQ(at(1)) && subC(at(2)))
      return 3;
    if (subC(at(1)) && subQ(at(2)))
      return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (subQ(at(1)) && subC(at(2)) && subC(at(3)))
      return 4;
    if (subC(at(1)) && subQ(at(2)) && subC(at(3)))
      return 4;
    if (subC(at(1)) && subC(at(2)) && subQ(at(3)))
      return 4;
  }
  if (b0 == 0x1a)
    return 1;
  return 0;
}

/// fixes.replace_lossy_sequences
std::string replaceLossySequences(const std::string &b) {
  std::string out;
  out.reserve(b.size());
  for (size_t i = 0; i < b.size();) {
    size_t len = lossyMatch(b, i);
    if (!len) {
      out.push_back(b[i++]);
      continue;
    }
    out += "\xef\xbf\xbd";
    i += len;
  }
  return out;
}

/// Strict UTF-8 (Python's codec): the length of the valid sequence at i, or 0.
size_t strictUtf8At(const std::string &b, size_t i, char32_t &cp) {
  size_t n = b.size();
  uint8_t c0 = byteAt(b, i);
  if (c0 < 0x80) {
    cp = c0;
    return 1;
  }
  auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xbf) {
    return i + k < n && byteAt(b, i + k) >= lo && byteAt(b, i + k) <= hi;
  };
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    if (!cont(1))
      return 0;
    cp = char32_t(c0 & 0x1f) << 6 | (byteAt(b, i + 1) & 0x3f);
    return 2;
  }
  if (c0 >= 0xe0 && c0 <= 0xef) {
    uint8_t lo = c0 == 0xe0 ? 0xa0 : 0x80, hi = c0 == 0xed ? 0x9f : 0xbf;
    if (!cont(1, lo, hi) || !cont(2))
      return 0;
    cp = char32_t(c0 & 0x0f) << 12 | char32_t(byteAt(b, i + 1) & 0x3f) << 6 |
         (byteAt(b, i + 2) & 0x3f);
    return 3;
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    uint8_t lo = c0 == 0xf0 ? 0x90 : 0x80, hi = c0 == 0xf4 ? 0x8f : 0xbf;
    if (!cont(1, lo, hi) || !cont(2) || !cont(3))
      return 0;
    cp = char32_t(c0 & 0x07) << 18 | char32_t(byteAt(b, i + 1) & 0x3f) << 12 |
         char32_t(byteAt(b, i + 2) & 0x3f) << 6 | (byteAt(b, i + 3) & 0x3f);
    return 4;
  }
  return 0;
}

/// bytes.decode('utf-8-variants') of ftfy (strict): UTF-8, plus CESU-8
/// surrogate pairs and Java's C0 80 for U+0000. nullopt: UnicodeDecodeError.
///
/// ftfy's SPECIAL_BYTES_RE uses `$`, which in Python also matches before a
/// final '\n': "\xc0\n" at the very end decodes as U+0000, and a CESU-8 pair
/// whose sixth byte is a final '\n' decodes as well. Reproduced.
std::optional<std::u32string> decodeUtf8Variants(const std::string &b) {
  std::u32string out;
  out.reserve(b.size());
  size_t n = b.size();
  for (size_t i = 0; i < n;) {
    uint8_t c0 = byteAt(b, i);
    if (c0 == 0xc0) {
      if (i + 1 < n &&
          (byteAt(b, i + 1) == 0x80 || (i + 2 == n && b[i + 1] == '\n'))) {
        out.push_back(0);
        i += 2;
        continue;
      }
      return std::nullopt;
    }
    if (c0 == 0xed && i + 1 < n && byteAt(b, i + 1) >= 0xa0) {
      // A (possibly truncated) surrogate: only a whole CESU-8 pair decodes.
      if (n - i < 6)
        return std::nullopt;
      auto in = [&](size_t k, uint8_t lo, uint8_t hi) {
        return byteAt(b, i + k) >= lo && byteAt(b, i + k) <= hi;
      };
      bool last = in(5, 0x80, 0xbf) || (n - i == 6 && b[i + 5] == '\n');
      if (in(1, 0xa0, 0xaf) && in(2, 0x80, 0xbf) && byteAt(b, i + 3) == 0xed &&
          in(4, 0xb0, 0xbf) && last) {
        char32_t cp = (char32_t(byteAt(b, i + 1) & 0x0f) << 16) +
                      (char32_t(byteAt(b, i + 2) & 0x3f) << 10) +
                      (char32_t(byteAt(b, i + 4) & 0x0f) << 6) +
                      (byteAt(b, i + 5) & 0x3f) + 0x10000;
        out.push_back(cp);
        i += 6;
        continue;
      }
      return std::nullopt;
    }
    char32_t cp;
    size_t len = strictUtf8At(b, i, cp);
    if (!len)
      return std::nullopt;
    out.push_back(cp);
    i += len;
  }
  return out;
}

// --- UTF8_DETECTOR_RE and decode_inconsistent_utf8
// ----------------------------------

size_t utf8DetectorMatch(std::u32string_view s, size_t i) {
  if (i > 0 && has(s[i - 1], kFlagU8ContStrict))
    return 0;
  size_t n = s.size();
  auto cont = [&](size_t k) { return k < n && has(s[k], kFlagU8Cont); };
  size_t j = i;
  for (;;) {
    if (j >= n)
      break;
    uint32_t f = rec(s[j]).flags;
    if ((f & kFlagU8First2) && cont(j + 1)) {
      j += 2;
    } else if ((f & kFlagU8First3) && cont(j + 1) && cont(j + 2)) {
      j += 3;
    } else if ((f & kFlagU8First4) && cont(j + 1) && cont(j + 2) &&
               cont(j + 3)) {
      j += 4;
    } else {
      break;
    }
  }
  return j - i;
}

bool utf8DetectorSearch(std::u32string_view s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (utf8DetectorMatch(s, i))
      return true;
  return false;
}

std::u32string fixEncoding(std::u32string text);

/// fixes.decode_inconsistent_utf8
std::u32string decodeInconsistentUtf8(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t len = utf8DetectorMatch(text, i);
    if (!len) {
      out.push_back(text[i++]);
      continue;
    }
    std::u32string_view sub = text.substr(i, len);
    if (sub.size() < text.size() && isBad(sub))
      out += fixEncoding(std::u32string(sub));
    else
      out += sub;
    i += len;
  }
  return out;
}

/// ftfy._fix_encoding_one_step_and_explain (default configuration).
std::u32string fixEncodingOneStep(const std::u32string &text) {
  if (text.empty() || allAscii(text) || !isBad(text))
    return text;
  bool latin1Possible = false;
  for (int enc = 0; enc < kNumEncodings; ++enc) {
    if (!possibleEncoding(text, enc))
      continue;
    if (enc == kLatin1)
      latin1Possible = true;
    std::string bytes = encodeCharmap(text, enc);
    if (!isEncodingMacRoman(enc) && alteredSearch(bytes))
      bytes = restoreByteA0(bytes);
    if (isEncodingSloppy(enc))
      bytes = replaceLossySequences(bytes);
    if (auto decoded = decodeUtf8Variants(bytes))
      return std::move(*decoded);
  }
  if (utf8DetectorSearch(text)) {
    std::u32string fixed = decodeInconsistentUtf8(text);
    if (fixed != text)
      return fixed;
  }
  if (latin1Possible) {
    // "windows-1252" is never in possible_1byte_encodings (the list holds
    // "sloppy-windows-1252"): latin-1 text is re-decoded as windows-1252.
    std::u32string fixed;
    fixed.reserve(text.size());
    bool ok = true;
    for (char32_t c : text) {
      int32_t m = kWindows1252Strict[c & 0xff];
      if (m < 0) {
        ok = false;
        break;
      }
      fixed.push_back(char32_t(m));
    }
    if (ok && fixed != text)
      return fixed;
  }
  bool c1 = false;
  for (char32_t c : text)
    c1 = c1 || (c >= 0x80 && c <= 0x9f);
  if (c1) { // fixes.fix_c1_controls
    std::u32string fixed = text;
    for (char32_t &c : fixed)
      if (c >= 0x80 && c <= 0x9f)
        c = kEncodingDecode[kSloppy1252][c];
    return fixed;
  }
  return text;
}

/// ftfy.fix_encoding
std::u32string fixEncoding(std::u32string text) {
  for (;;) {
    std::u32string next = fixEncodingOneStep(text);
    if (next == text)
      return text;
    text = std::move(next);
  }
}

// --- The per-character fixers
// ---------------------------------------------------------

/// fix_c1_controls, fix_latin_ligatures, fix_character_width, uncurl_quotes.
bool ftfyTranslate(std::u32string &text) {
  size_t first = 0;
  while (first < text.size() && !has(text[first], kFlagFtfyTranslate))
    ++first;
  if (first == text.size())
    return false;
  std::u32string out(text, 0, first);
  for (size_t i = first; i < text.size(); ++i) {
    char32_t c = text[i];
    if (!has(c, kFlagFtfyTranslate)) {
      out.push_back(c);
      continue;
    }
    const Translation *t = findSorted(
        kFtfyTranslate, c, [](const Translation &x) { return x.cp; });
    out += t->to;
  }
  text = std::move(out);
  return true;
}

/// fix_line_breaks
bool fixLineBreaks(std::u32string &text) {
  bool any = false;
  for (char32_t c : text)
    any = any || c == U'\r' || c == 0x2028 || c == 0x2029 || c == 0x85;
  if (!any)
    return false;
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char32_t c = text[i];
    if (c == U'\r') {
      if (i + 1 < text.size() && text[i + 1] == U'\n')
        ++i;
      out.push_back(U'\n');
    } else if (c == 0x2028 || c == 0x2029 || c == 0x85) {
      out.push_back(U'\n');
    } else {
      out.push_back(c);
    }
  }
  text = std::move(out);
  return true;
}

/// remove_terminal_escapes: ANSI_RE = \033\[((?:\d|;)*)([a-zA-Z])
bool removeTerminalEscapes(std::u32string &text) {
  if (text.find(U'\033') == std::u32string::npos)
    return false;
  std::u32string out;
  out.reserve(text.size());
  bool changed = false;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == U'\033' && i + 1 < text.size() && text[i + 1] == U'[') {
      size_t k = i + 2;
      while (k < text.size() && (text[k] == U';' || has(text[k], kFlagReDigit)))
        ++k;
      if (k < text.size() && isAsciiAlpha(text[k])) {
        i = k + 1;
        changed = true;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  if (changed)
    text = std::move(out);
  return changed;
}

/// remove_control_chars
bool removeControlChars(std::u32string &text) {
  auto it = std::remove_if(text.begin(), text.end(),
                           [](char32_t c) { return has(c, kFlagFtfyControl); });
  if (it == text.end())
    return false;
  text.erase(it, text.end());
  return true;
}

/// ftfy.fix_and_explain for one segment (explain=False).
std::u32string fixSegment(std::u32string text, bool unescapeHtml) {
  for (;;) {
    std::u32string orig = text;
    bool changed = false;
    if (unescapeHtml)
      changed |= ftfyUnescapeHtml(text);
    if (!allAscii(text)) {
      std::u32string fixed = fixEncoding(text);
      if (fixed != text) {
        text = std::move(fixed);
        changed = true;
      }
    }
    changed |= ftfyTranslate(text);
    changed |= fixLineBreaks(text);
    changed |= removeTerminalEscapes(text);
    changed |= removeControlChars(text);
    if (!nfcQuickYes(text)) {
      text = nfc(std::move(text));
      changed = true;
    }
    if (!changed || text == orig)
      return text;
  }
}

} // namespace

std::u32string ftfyFixText(std::u32string text) {
  constexpr size_t kMaxDecodeLength = 1000000;
  bool unescapeHtml = true; // "auto", until a segment holds '<'
  std::u32string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find(U'\n', pos);
    size_t end = nl == std::u32string::npos ? text.size() : nl + 1;
    if (end - pos > kMaxDecodeLength)
      end = pos + kMaxDecodeLength;
    std::u32string segment = text.substr(pos, end - pos);
    if (unescapeHtml && segment.find(U'<') != std::u32string::npos)
      unescapeHtml = false;
    out += fixSegment(std::move(segment), unescapeHtml);
    pos = end;
  }
  return out;
}

} // namespace clip::text::detail
