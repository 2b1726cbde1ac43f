//===- Tokenizer.cpp - CLIP's BPE tokenizer -------------------------------===//
//
// SimpleTokenizer.__init__, bpe, encode, decode and __call__ of
// open_clip/tokenizer.py. Symbols are ids rather than strings: every symbol
// string maps to one id (the vocabulary holds no string twice, which loading
// checks), so comparing ids compares strings and a merge (a, b) is the pair
// of their ids.
//
//===----------------------------------------------------------------------===//
#include "runtime/text/Tokenizer.h"

#include "runtime/text/Gzip.h"
#include "runtime/text/TextClean.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace clip::text {
namespace {

constexpr int kNumMerges = 49152 - 256 - 2; // lines 1..48894 of the file
constexpr size_t kMaxCacheEntries = size_t(1) << 20;
constexpr const char *kVocabFileName = "bpe_simple_vocab_16e6.txt.gz";

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(
        fmt::format("tokenizer vocabulary '{}': cannot open: {}", path,
                    std::strerror(errno)));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad())
    throw std::runtime_error(
        fmt::format("tokenizer vocabulary '{}': read error", path));
  return bytes;
}

/// bytes_to_unicode(): byte -> its printable stand-in character, in the
/// order of the vocabulary's first 256 entries.
void bytesToUnicode(std::vector<uint8_t> &order, char32_t (&charOf)[256]) {
  order.clear();
  bool in[256] = {};
  for (int b = '!'; b <= '~'; ++b)
    order.push_back(uint8_t(b)), in[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b)
    order.push_back(uint8_t(b)), in[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b)
    order.push_back(uint8_t(b)), in[b] = true;
  for (int b = 0; b < 256; ++b)
    charOf[b] = char32_t(b);
  int n = 0;
  for (int b = 0; b < 256; ++b) {
    if (!in[b]) {
      order.push_back(uint8_t(b));
      charOf[b] = char32_t(256 + n++);
    }
  }
}

bool isFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

} // namespace

Tokenizer::Tokenizer(const std::string &vocabularyGzPath)
    : path_(vocabularyGzPath) {
  auto fail = [&](const std::string &what) -> std::runtime_error {
    return std::runtime_error(
        fmt::format("tokenizer vocabulary '{}': {}", path_, what));
  };
  std::vector<uint8_t> compressed = readFile(path_);
  std::string text;
  try {
    text = gunzip(compressed);
  } catch (const GzipError &e) {
    throw fail(e.what());
  }

  std::vector<uint8_t> order;
  char32_t charOf[256];
  bytesToUnicode(order, charOf);
  std::unordered_map<char32_t, uint8_t> byteOfChar;
  for (int b = 0; b < 256; ++b)
    byteOfChar[charOf[b]] = uint8_t(b);

  // vocab = byte symbols, + "</w>", merges joined, special tokens.
  std::vector<std::string> vocab;
  vocab.reserve(2 * 256 + kNumMerges + 2);
  for (uint8_t b : order) {
    std::string s;
    detail::appendUtf8(s, charOf[b]);
    vocab.push_back(s);
  }
  for (int i = 0; i < 256; ++i)
    vocab.push_back(vocab[i] + "</w>");

  // merges = lines[1 : 48894 + 1], each "left right".
  std::vector<std::pair<std::string, std::string>> mergeParts;
  mergeParts.reserve(kNumMerges);
  size_t pos = text.find('\n');
  if (pos == std::string::npos)
    throw fail("no merge lines (the file has a single line)");
  ++pos;
  for (int line = 1; line <= kNumMerges; ++line) {
    if (pos >= text.size())
      throw fail(
          fmt::format("{} merge lines, {} needed (lines 2 to {} of the file)",
                      line - 1, kNumMerges, kNumMerges + 1));
    size_t end = text.find('\n', pos);
    if (end == std::string::npos)
      end = text.size();
    std::string_view l(text.data() + pos, end - pos);
    pos = end + 1;
    size_t a = l.find_first_not_of(" \t\r");
    size_t aEnd = a == std::string_view::npos ? a : l.find_first_of(" \t\r", a);
    size_t b = aEnd == std::string_view::npos
                   ? aEnd
                   : l.find_first_not_of(" \t\r", aEnd);
    size_t bEnd = b == std::string_view::npos ? b : l.find_first_of(" \t\r", b);
    size_t rest = bEnd == std::string_view::npos
                      ? bEnd
                      : l.find_first_not_of(" \t\r", bEnd);
    if (b == std::string_view::npos || rest != std::string_view::npos)
      throw fail(
          fmt::format("line {} is '{}', not two symbols separated by a space",
                      line + 1, std::string(l.substr(0, 80))));
    mergeParts.emplace_back(
        std::string(l.substr(a, aEnd - a)),
        std::string(l.substr(b, bEnd == std::string_view::npos ? l.size() - b
                                                               : bEnd - b)));
    vocab.push_back(mergeParts.back().first + mergeParts.back().second);
  }
  vocab.push_back("<start_of_text>");
  vocab.push_back("<end_of_text>");

  std::unordered_map<std::string, int32_t> encoder;
  encoder.reserve(vocab.size() * 2);
  for (size_t i = 0; i < vocab.size(); ++i) {
    auto [it, inserted] = encoder.emplace(vocab[i], int32_t(i));
    if (!inserted)
      throw fail(fmt::format(
          "token '{}' (id {}) repeats id {}; a merges file holds each "
          "merged token once",
          vocab[i], i, it->second));
  }
  if (encoder.at("<start_of_text>") != kStartOfText ||
      encoder.at("<end_of_text>") != kEndOfText)
    throw fail("the special tokens do not get ids 49406 and 49407");

  // id -> bytes (decoder + byte_decoder).
  tokenBytes_.resize(vocab.size());
  for (size_t i = 0; i < vocab.size(); ++i) {
    std::u32string chars = detail::decodeUtf8(vocab[i]);
    std::string bytes;
    for (char32_t c : chars) {
      auto it = byteOfChar.find(c);
      if (it == byteOfChar.end())
        throw fail(fmt::format(
            "token '{}' (id {}) holds U+{:04X}, which stands for no byte",
            vocab[i], i, uint32_t(c)));
      bytes.push_back(char(it->second));
    }
    tokenBytes_[i] = std::move(bytes);
  }
  for (int b = 0; b < 256; ++b) {
    std::string s;
    detail::appendUtf8(s, charOf[b]);
    byteSymbol_[b] = encoder.at(s);
    byteSymbolEnd_[b] = encoder.at(s + "</w>");
  }

  merges_.reserve(size_t(kNumMerges) * 2);
  for (int r = 0; r < kNumMerges; ++r) {
    const auto &[left, right] = mergeParts[r];
    auto l = encoder.find(left), rr = encoder.find(right);
    if (l == encoder.end() || rr == encoder.end())
      throw fail(fmt::format("line {}: '{}' is not a token of the vocabulary",
                             r + 2, l == encoder.end() ? left : right));
    uint64_t key = uint64_t(uint32_t(l->second)) << 32 | uint32_t(rr->second);
    merges_[key] = Merge{r, int32_t(512 + r)};
  }
}

Tokenizer::~Tokenizer() = default;

int64_t Tokenizer::vocabularySize() const {
  return int64_t(tokenBytes_.size());
}

void Tokenizer::bpe(const std::string &word, std::vector<int32_t> &out) const {
  out.clear();
  if (word == "<start_of_text>") {
    out.push_back(int32_t(kStartOfText));
    return;
  }
  if (word == "<end_of_text>") {
    out.push_back(int32_t(kEndOfText));
    return;
  }
  size_t n = word.size();
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = uint8_t(word[i]);
    out.push_back(i + 1 < n ? byteSymbol_[b] : byteSymbolEnd_[b]);
  }
  std::vector<int32_t> next;
  while (out.size() > 1) {
    int32_t bestRank = INT32_MAX, bestResult = 0, first = 0, second = 0;
    for (size_t i = 0; i + 1 < out.size(); ++i) {
      auto it =
          merges_.find(uint64_t(uint32_t(out[i])) << 32 | uint32_t(out[i + 1]));
      if (it != merges_.end() && it->second.rank < bestRank) {
        bestRank = it->second.rank;
        bestResult = it->second.result;
        first = out[i];
        second = out[i + 1];
      }
    }
    if (bestRank == INT32_MAX)
      break;
    next.clear();
    for (size_t i = 0; i < out.size();) {
      if (i + 1 < out.size() && out[i] == first && out[i + 1] == second) {
        next.push_back(bestResult);
        i += 2;
      } else {
        next.push_back(out[i++]);
      }
    }
    out.swap(next);
  }
}

void Tokenizer::encodeInto(std::string_view text,
                           std::vector<int64_t> &ids) const {
  std::u32string cleaned = detail::cleanLower(detail::decodeUtf8(text));
  std::vector<std::pair<size_t, size_t>> words;
  detail::splitWords(cleaned, words);
  std::string word;
  std::vector<int32_t> symbols;
  for (auto [begin, end] : words) {
    word.clear();
    for (size_t i = begin; i < end; ++i)
      detail::appendUtf8(word, cleaned[i]);
    {
      std::lock_guard<std::mutex> lock(cacheMutex_);
      auto it = cache_.find(word);
      if (it != cache_.end()) {
        ids.insert(ids.end(), it->second.begin(), it->second.end());
        continue;
      }
    }
    bpe(word, symbols);
    ids.insert(ids.end(), symbols.begin(), symbols.end());
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (cache_.size() >= kMaxCacheEntries)
      cache_.clear();
    cache_.emplace(word, symbols);
  }
}

std::vector<int64_t> Tokenizer::encode(std::string_view text) const {
  std::vector<int64_t> ids;
  encodeInto(text, ids);
  return ids;
}

std::vector<int64_t> Tokenizer::tokenize(std::string_view text,
                                         int64_t contextLength) const {
  if (contextLength < 1)
    throw std::invalid_argument(fmt::format(
        "tokenize: context length {} (it must be at least 1)", contextLength));
  std::vector<int64_t> ids;
  ids.reserve(size_t(contextLength) + 8);
  ids.push_back(kStartOfText);
  encodeInto(text, ids);
  ids.push_back(kEndOfText);
  if (int64_t(ids.size()) > contextLength) {
    ids.resize(size_t(contextLength));
    ids.back() = kEndOfText;
  }
  ids.resize(size_t(contextLength), 0);
  return ids;
}

std::string Tokenizer::decode(const std::vector<int64_t> &ids) const {
  std::string bytes;
  for (int64_t id : ids) {
    if (id < 0 || id >= int64_t(tokenBytes_.size()))
      throw std::out_of_range(
          fmt::format("decode: token id {} is outside the vocabulary [0, {})",
                      id, tokenBytes_.size()));
    bytes += tokenBytes_[size_t(id)];
  }
  std::string text = detail::encodeUtf8(detail::decodeUtf8(bytes));
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 4, "</w>") == 0) {
      out.push_back(' ');
      i += 4;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

std::string defaultVocabularyPath() {
  std::vector<std::string> looked;
  if (const char *env = std::getenv("CLIPC_BPE_VOCAB"); env && *env) {
    if (isFile(env))
      return env;
    throw std::runtime_error(
        fmt::format("tokenizer vocabulary: CLIPC_BPE_VOCAB is set to '{}', "
                    "which is not a file",
                    env));
  }
  looked.push_back("$CLIPC_BPE_VOCAB (not set)");
#ifdef CLIPC_BPE_VOCAB_SOURCE_PATH
  if (isFile(CLIPC_BPE_VOCAB_SOURCE_PATH))
    return CLIPC_BPE_VOCAB_SOURCE_PATH;
  looked.push_back(
      fmt::format("{} (the source tree's copy; scripts/fetch_bpe_vocab.sh puts "
                  "it there)",
                  CLIPC_BPE_VOCAB_SOURCE_PATH));
#endif
  char exe[PATH_MAX];
  ssize_t len = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (len > 0) {
    std::string dir(exe, size_t(len));
    dir = dir.substr(0, dir.find_last_of('/'));
    std::string candidate =
        fmt::format("{}/../share/clipc/{}", dir, kVocabFileName);
    if (isFile(candidate))
      return candidate;
    looked.push_back(candidate + " (next to the executable)");
  } else {
    looked.push_back(
        "<executable dir>/../share/clipc/ (the executable's path is unknown: " +
        std::string(std::strerror(errno)) + ")");
  }
  std::string list;
  for (const std::string &l : looked)
    list += "\n  " + l;
  throw std::runtime_error(fmt::format(
      "tokenizer vocabulary {} not found; looked at:{}", kVocabFileName, list));
}

std::string cleanText(std::string_view text) {
  return detail::encodeUtf8(detail::cleanLower(detail::decodeUtf8(text)));
}

} // namespace clip::text
