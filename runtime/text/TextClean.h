//===- TextClean.h - OpenCLIP's text cleaning, in C++ (internal) ----------===//
//
// What OpenCLIP's SimpleTokenizer does to a caption before BPE, step by step
// (open_clip/tokenizer.py, clean='lower'):
//
//   basic_clean:      ftfy.fix_text (ftfy 6.3, default configuration),
//                     html.unescape twice, str.strip
//   whitespace_clean: " ".join(text.split()), then str.lower
//   the pattern       <start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|
//                     [\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+   (regex, IGNORECASE)
//
// Text is handled as code points (std::u32string), like Python's str. Every
// character property comes from tables generated with the Python modules
// OpenCLIP itself runs (scripts/gen_unicode_tables.py); see docs/tokenizer.md.
//
// Where each part is: Utf8.cpp (decodeUtf8, appendUtf8, encodeUtf8),
// HtmlUnescape.cpp (htmlUnescape), Ftfy.cpp (ftfyFixText), Unicode.cpp (nfc,
// pyLower, splitWords), TextClean.cpp (cleanLower); what they share is in
// TextInternal.h.
//
// Runtime code: plain C++17, no MLIR or LLVM, no ICU.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TEXT_TEXTCLEAN_H
#define CLIP_RUNTIME_TEXT_TEXTCLEAN_H

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clip::text::detail {

/// UTF-8 to code points; each maximal invalid subsequence becomes one U+FFFD
/// (what Python's bytes.decode('utf-8', errors='replace') does).
std::u32string decodeUtf8(std::string_view bytes);
/// Code points to UTF-8 (the input never holds surrogates).
void appendUtf8(std::string &out, char32_t c);
std::string encodeUtf8(std::u32string_view text);

/// ftfy.fix_text(text) with ftfy's default configuration.
std::u32string ftfyFixText(std::u32string text);
/// Python's html.unescape.
std::u32string htmlUnescape(std::u32string_view text);
/// unicodedata.normalize('NFC', text).
std::u32string nfc(std::u32string text);
/// Python's str.lower (full mappings, final sigma).
std::u32string pyLower(std::u32string_view text);

/// OpenCLIP's _clean_lower: whitespace_clean(basic_clean(text)).lower().
std::u32string cleanLower(std::u32string text);

/// The matches of the tokenizer's pattern in cleaned text: (begin, end).
void splitWords(std::u32string_view text,
                std::vector<std::pair<size_t, size_t>> &words);

} // namespace clip::text::detail

#endif // CLIP_RUNTIME_TEXT_TEXTCLEAN_H
