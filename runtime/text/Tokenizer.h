//===- Tokenizer.h - CLIP's BPE tokenizer (OpenCLIP's SimpleTokenizer) ----===//
//
// Gives the ids open_clip.tokenize gives (open_clip_torch 3.3.0,
// open_clip/tokenizer.py, clean='lower', no reduction mask): the caption is
// cleaned (ftfy.fix_text, html.unescape twice, whitespace collapsed,
// lower-cased), split by OpenCLIP's pattern, each piece's UTF-8 bytes mapped
// through bytes_to_unicode and merged by byte-pair encoding with the ranks of
// bpe_simple_vocab_16e6.txt.gz. docs/tokenizer.md says how each step is
// reproduced and what was checked.
//
// Input is UTF-8. Invalid UTF-8 is decoded as Python's
// bytes.decode('utf-8', errors='replace') does: each maximal invalid
// subsequence becomes one U+FFFD.
//
// Thread safety: a Tokenizer is immutable after construction except for its
// per-word BPE cache, which a mutex guards: one Tokenizer may be shared by
// threads.
//
// Runtime code: plain C++17 and fmt, no MLIR/LLVM, no ICU, no zlib.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TEXT_TOKENIZER_H
#define CLIP_RUNTIME_TEXT_TOKENIZER_H

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clip::text {

class Tokenizer {
public:
  /// Reads the gzip-compressed merges file (bpe_simple_vocab_16e6.txt.gz).
  /// Throws std::runtime_error naming the file on any problem: missing,
  /// unreadable, not gzip, corrupt (CRC), too few merge lines, malformed line.
  explicit Tokenizer(const std::string &vocabularyGzPath);
  ~Tokenizer();
  Tokenizer(const Tokenizer &) = delete;
  Tokenizer &operator=(const Tokenizer &) = delete;

  static constexpr int64_t kStartOfText = 49406, kEndOfText = 49407,
                           kContextLength = 77;

  /// BPE ids of the cleaned text, without start/end of text
  /// (SimpleTokenizer.encode).
  std::vector<int64_t> encode(std::string_view text) const;

  /// open_clip.tokenize for one text: [sot, ids..., eot, 0...] of exactly
  /// `contextLength` ids. Too long: the first contextLength ids are kept and
  /// the last of them is replaced by eot (OpenCLIP's `tokens[:n]`,
  /// `tokens[-1] = eot`). Throws std::invalid_argument when contextLength < 1
  /// (OpenCLIP would substitute 77 for 0).
  std::vector<int64_t> tokenize(std::string_view text,
                                int64_t contextLength = kContextLength) const;

  /// SimpleTokenizer.decode: the tokens' bytes decoded as UTF-8 with
  /// replacement, each "</w>" replaced by a space. Padding zeros decode as
  /// "!" (OpenCLIP's behaviour). Throws std::out_of_range for an id outside
  /// [0, vocabularySize()).
  std::string decode(const std::vector<int64_t> &ids) const;

  /// 49408: 256 byte symbols, their 256 end-of-word forms, 48894 merges,
  /// <start_of_text> and <end_of_text>.
  int64_t vocabularySize() const;

  /// The file this tokenizer was read from.
  const std::string &vocabularyPath() const { return path_; }

private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  void bpe(const std::string &word, std::vector<int32_t> &out) const;
  void encodeInto(std::string_view text, std::vector<int64_t> &out) const;

  std::string path_;
  std::vector<std::string> tokenBytes_;        // id -> the token's bytes
  int32_t byteSymbol_[256];                    // byte -> id (inside a word)
  int32_t byteSymbolEnd_[256];                 // byte -> id of byte + "</w>"
  std::unordered_map<uint64_t, Merge> merges_; // (left id << 32 | right id)

  mutable std::mutex cacheMutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;
};

/// The merges file to use when none is given: $CLIPC_BPE_VOCAB if set (it
/// must exist), else the copy scripts/fetch_bpe_vocab.sh put in the source
/// tree (third_party/clip/, a path compiled in), else
/// <executable dir>/../share/clipc/bpe_simple_vocab_16e6.txt.gz. Throws
/// std::runtime_error listing every place it looked.
std::string defaultVocabularyPath();

/// The text SimpleTokenizer.encode splits: ftfy.fix_text, html.unescape
/// twice, whitespace collapsed, lower-cased (OpenCLIP's _clean_lower), as
/// UTF-8. For inspection and tests.
std::string cleanText(std::string_view text);

} // namespace clip::text

#endif // CLIP_RUNTIME_TEXT_TOKENIZER_H
