//===- Unicode.cpp - The character database: NFC, str.lower, the pattern --===//
//
// The home of UnicodeTables.inc, the per-code-point records computed from the
// Python OpenCLIP runs: the arrays behind rec() (TextInternal.h), and the
// operations that are little more than look-ups in the rest of it: NFC
// (unicodedata.normalize), Python's str.lower, and the tokenizer's word
// pattern (regex, IGNORECASE).
//
//===----------------------------------------------------------------------===//
#include "runtime/text/TextClean.h"
#include "runtime/text/TextInternal.h"

#include <cstdint>

namespace clip::text::detail {
namespace {

// --- Generated tables --------------------------------------------------------

struct SpecialLower {
  char32_t cp;
  const char32_t *lower;
};
struct Decomposition {
  char32_t cp;
  const char32_t *chars;
};
struct Composition {
  uint64_t key; // first << 21 | second
  char32_t composite;
};
struct CaseEquivalents {
  char32_t ch;
  char32_t eq[4];
  int count;
};

} // namespace

// In a namespace of its own, as TextInternal.h mirrors its constants under the
// same names. The arrays rec() reads were declared there, so they alone get
// external linkage; the rest stays private to this file.
namespace tables {
#include "runtime/text/UnicodeTables.inc"
} // namespace tables

namespace {

using tables::kCaseEquivalents;
using tables::kCompositions;
using tables::kDecompositions;
using tables::kSpecialLower;

// TextInternal.h's mirrors must be the generated values.
static_assert(kFlagPySpace == tables::kFlagPySpace);
static_assert(kFlagRxL == tables::kFlagRxL);
static_assert(kFlagRxN == tables::kFlagRxN);
static_assert(kFlagRxP == tables::kFlagRxP);
static_assert(kFlagCased == tables::kFlagCased);
static_assert(kFlagCaseIgnorable == tables::kFlagCaseIgnorable);
static_assert(kFlagReDigit == tables::kFlagReDigit);
static_assert(kFlagNfcQcYes == tables::kFlagNfcQcYes);
static_assert(kFlagLowerSpecial == tables::kFlagLowerSpecial);
static_assert(kFlagFtfyTranslate == tables::kFlagFtfyTranslate);
static_assert(kFlagFtfyControl == tables::kFlagFtfyControl);
static_assert(kFlagU8First2 == tables::kFlagU8First2);
static_assert(kFlagU8First3 == tables::kFlagU8First3);
static_assert(kFlagU8First4 == tables::kFlagU8First4);
static_assert(kFlagU8Cont == tables::kFlagU8Cont);
static_assert(kFlagU8ContStrict == tables::kFlagU8ContStrict);
static_assert(kFlagHasDecomposition == tables::kFlagHasDecomposition);
static_assert(kFlagEnc0 == tables::kFlagEnc0);
static_assert(kNumEncodings == tables::kNumEncodings);
static_assert(kBadnessAlternatives == tables::kBadnessAlternatives);
static_assert(kCharBlockShift == tables::kCharBlockShift);

} // namespace

// --- NFC
// ------------------------------------------------------------------------------

namespace {

constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161,
                   kTBase = 0x11A7;
constexpr int kLCount = 19, kVCount = 21, kTCount = 28,
              kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

} // namespace

bool nfcQuickYes(std::u32string_view s) {
  uint8_t prev = 0;
  for (char32_t c : s) {
    const CharRecord &r = rec(c);
    if (!(r.flags & kFlagNfcQcYes))
      return false;
    if (r.ccc && prev > r.ccc)
      return false;
    prev = r.ccc;
  }
  return true;
}

namespace {

char32_t composePair(char32_t a, char32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase &&
      b < kVBase + kVCount)
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 &&
      b > kTBase && b < kTBase + kTCount)
    return a + (b - kTBase);
  uint64_t key = uint64_t(a) << 21 | b;
  const Composition *c = findSorted(kCompositions, key,
                                    [](const Composition &x) { return x.key; });
  return c ? c->composite : 0;
}

} // namespace

std::u32string nfc(std::u32string text) {
  if (nfcQuickYes(text))
    return text;
  // Canonical decomposition.
  std::u32string d;
  d.reserve(text.size() + 8);
  for (char32_t c : text) {
    if (c >= kSBase && c < kSBase + kSCount) {
      char32_t s = c - kSBase;
      d.push_back(kLBase + s / kNCount);
      d.push_back(kVBase + (s % kNCount) / kTCount);
      if (s % kTCount)
        d.push_back(kTBase + s % kTCount);
    } else if (has(c, kFlagHasDecomposition)) {
      const Decomposition *e = findSorted(
          kDecompositions, c, [](const Decomposition &x) { return x.cp; });
      d += e->chars;
    } else {
      d.push_back(c);
    }
  }
  // Canonical ordering: a stable sort of each run of non-starters.
  for (size_t i = 1; i < d.size(); ++i) {
    uint8_t cc = rec(d[i]).ccc;
    if (!cc)
      continue;
    size_t j = i;
    while (j > 0) {
      uint8_t pc = rec(d[j - 1]).ccc;
      if (!pc || pc <= cc)
        break;
      std::swap(d[j - 1], d[j]);
      --j;
    }
  }
  // Canonical composition.
  if (d.empty())
    return d;
  size_t starterPos = 0;
  int lastClass = rec(d[0]).ccc ? 256 : 0;
  size_t out = 1;
  for (size_t i = 1; i < d.size(); ++i) {
    char32_t ch = d[i];
    int chClass = rec(ch).ccc;
    char32_t composite = composePair(d[starterPos], ch);
    if (composite && (lastClass < chClass || lastClass == 0)) {
      d[starterPos] = composite;
      continue;
    }
    if (chClass == 0)
      starterPos = out;
    lastClass = chClass;
    d[out++] = ch;
  }
  d.resize(out);
  return d;
}

// --- str.lower
// ------------------------------------------------------------------

std::u32string pyLower(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char32_t c = s[i];
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c);
      continue;
    }
    if (c == 0x3A3) { // CPython's handle_capital_sigma
      size_t j = i;
      while (j > 0 && has(s[j - 1], kFlagCaseIgnorable))
        --j;
      bool finalSigma = j > 0 && has(s[j - 1], kFlagCased);
      if (finalSigma && i + 1 < s.size()) {
        size_t k = i + 1;
        while (k < s.size() && has(s[k], kFlagCaseIgnorable))
          ++k;
        finalSigma = k == s.size() || !has(s[k], kFlagCased);
      }
      out.push_back(finalSigma ? 0x3C2 : 0x3C3);
      continue;
    }
    const CharRecord &r = rec(c);
    if (r.flags & kFlagLowerSpecial) {
      const SpecialLower *e = findSorted(
          kSpecialLower, c, [](const SpecialLower &x) { return x.cp; });
      out += e->lower;
      continue;
    }
    out.push_back(char32_t(int32_t(c) + r.lowerDelta));
  }
  return out;
}

// --- The tokenizer's pattern
// --------------------------------------------------

namespace {

bool caseMatches(char32_t c, char lit) {
  for (const CaseEquivalents &e : kCaseEquivalents) {
    if (e.ch != char32_t(lit))
      continue;
    for (int k = 0; k < e.count; ++k)
      if (e.eq[k] == c)
        return true;
    return false;
  }
  return c == char32_t(lit);
}

/// The length of `literal` (matched under IGNORECASE) at s[i], or 0.
size_t matchLiteral(std::u32string_view s, size_t i, std::string_view literal) {
  if (s.size() - i < literal.size())
    return 0;
  for (size_t k = 0; k < literal.size(); ++k)
    if (!caseMatches(s[i + k], literal[k]))
      return 0;
  return literal.size();
}

} // namespace

void splitWords(std::u32string_view s,
                std::vector<std::pair<size_t, size_t>> &words) {
  words.clear();
  size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    char32_t c = s[i];
    size_t len = 0;
    if (c == U'<') {
      len = matchLiteral(s, i, "<start_of_text>");
      if (!len)
        len = matchLiteral(s, i, "<end_of_text>");
    } else if (c == U'\'' && i + 1 < n) {
      for (std::string_view contraction :
           {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"}) {
        if ((len = matchLiteral(s, i, contraction)))
          break;
      }
    }
    if (!len) {
      uint32_t f = rec(c).flags;
      if (f & kFlagRxL) {
        len = 1;
        while (i + len < n && has(s[i + len], kFlagRxL))
          ++len;
      } else if (f & kFlagRxN) {
        len = 1;
      } else if (f & kFlagRxP) {
        len = 1;
        while (i + len < n && has(s[i + len], kFlagRxP))
          ++len;
      }
    }
    if (len) {
      words.emplace_back(i, i + len);
      i += len;
    } else {
      ++i; // whitespace: no alternative matches
    }
  }
}

} // namespace clip::text::detail
