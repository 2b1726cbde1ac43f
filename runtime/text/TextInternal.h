//===- TextInternal.h - What the text-cleaning files share (internal) -----===//
//
// The helpers and table accessors that more than one of Utf8.cpp,
// HtmlUnescape.cpp, Ftfy.cpp, Unicode.cpp and TextClean.cpp need. Each
// generated table (.inc) is included by exactly one .cpp, since they are
// large: the others reach it through what this header declares.
//
// The character database (UnicodeTables.inc) lives in Unicode.cpp. rec()
// stays inline, as it was in the single file (it runs for every character of
// every caption), so the arrays it reads are declared here and its constants
// mirrored: the other files need them at compile time (FtfyTables.inc sizes
// its arrays with them). Unicode.cpp checks every mirror against the generated
// value, so a regenerated table that changes one fails the build, not the text.
//
// Runtime code: plain C++17, no MLIR or LLVM, no ICU.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TEXT_TEXTINTERNAL_H
#define CLIP_RUNTIME_TEXT_TEXTINTERNAL_H

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace clip::text::detail {

// --- The character database (UnicodeTables.inc, in Unicode.cpp) -------------

struct CharRecord {
  uint32_t flags;
  int32_t lowerDelta;
  uint8_t ccc;
  uint64_t badLo, badHi; // BADNESS_RE classes 0-63, 64-127
  uint64_t badStarts;    // BADNESS_RE alternatives whose first class holds it
};

// Flags of a CharRecord, and the counts FtfyTables.inc uses (mirrors).
constexpr uint32_t kFlagPySpace = 1u << 0;
constexpr uint32_t kFlagRxL = 1u << 1;
constexpr uint32_t kFlagRxN = 1u << 2;
constexpr uint32_t kFlagRxP = 1u << 3;
constexpr uint32_t kFlagCased = 1u << 4;
constexpr uint32_t kFlagCaseIgnorable = 1u << 5;
constexpr uint32_t kFlagReDigit = 1u << 6;
constexpr uint32_t kFlagNfcQcYes = 1u << 7;
constexpr uint32_t kFlagLowerSpecial = 1u << 8;
constexpr uint32_t kFlagFtfyTranslate = 1u << 9;
constexpr uint32_t kFlagFtfyControl = 1u << 10;
constexpr uint32_t kFlagU8First2 = 1u << 11;
constexpr uint32_t kFlagU8First3 = 1u << 12;
constexpr uint32_t kFlagU8First4 = 1u << 13;
constexpr uint32_t kFlagU8Cont = 1u << 14;
constexpr uint32_t kFlagU8ContStrict = 1u << 15;
constexpr uint32_t kFlagHasDecomposition = 1u << 16;
constexpr uint32_t kFlagEnc0 = 1u << 17;
constexpr int kNumEncodings = 10;
constexpr int kBadnessAlternatives = 37;
constexpr int kCharBlockShift = 7;

// The two-level table rec() reads, defined by UnicodeTables.inc.
namespace tables {
extern const CharRecord kCharRecords[];
extern const uint16_t kCharStage1[];
extern const uint16_t kCharStage2[];
} // namespace tables

inline const CharRecord &rec(char32_t c) {
  using tables::kCharRecords, tables::kCharStage1, tables::kCharStage2;
  if (c >= 0x110000)
    c = 0xFFFD;
  return kCharRecords[kCharStage2[(size_t(kCharStage1[c >> kCharBlockShift])
                                   << kCharBlockShift) |
                                  (c & ((1u << kCharBlockShift) - 1))]];
}
inline bool has(char32_t c, uint32_t flag) {
  return (rec(c).flags & flag) != 0;
}

/// NFC's quick check: true when text is NFC already, false when it may not be.
bool nfcQuickYes(std::u32string_view s);

// --- HTML entities (HtmlEntities.inc, in HtmlUnescape.cpp) -------------------

struct HtmlEntity {
  const char *name;
  const char32_t *value;
};

/// ftfy's unescape_html table: `key` is the whole '&name;'.
const HtmlEntity *ftfyEntityLookup(std::string_view key);

// --- Small helpers
// ------------------------------------------------------------

template <typename Table, typename Key, typename Proj>
const auto *findSorted(const Table &table, const Key &key, Proj proj) {
  auto it = std::lower_bound(
      std::begin(table), std::end(table), key,
      [&](const auto &e, const Key &k) { return proj(e) < k; });
  return it != std::end(table) && proj(*it) == key ? &*it : nullptr;
}

/// A code-point string as ASCII, or nullopt when it holds anything else.
inline std::optional<std::string> asciiOf(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (c >= 0x80)
      return std::nullopt;
    out.push_back(char(c));
  }
  return out;
}

inline bool isAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }
inline bool isAsciiHex(char32_t c) {
  return isAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool isAsciiAlpha(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool isAsciiAlnum(char32_t c) {
  return isAsciiDigit(c) || isAsciiAlpha(c);
}

} // namespace clip::text::detail

#endif // CLIP_RUNTIME_TEXT_TEXTINTERNAL_H
