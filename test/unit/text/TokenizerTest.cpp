//===- TokenizerTest.cpp - CLIP's tokenizer: ids, truncation, errors ------===//
//
// The known ids below were obtained once from OpenCLIP 3.3.0
// (open_clip.tokenizer._tokenizer.encode / open_clip.tokenize) and written
// here: they are a smoke test. The real check is
// test/parity/tokenizer_parity.py, which compares thousands of captions with
// OpenCLIP itself.
//
//===----------------------------------------------------------------------===//
#include "runtime/text/Tokenizer.h"
#include "runtime/text/Gzip.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using clip::text::Tokenizer;
using Ids = std::vector<int64_t>;

namespace {

const Tokenizer &tokenizer() {
  // One tokenizer for the whole test program (reading the file takes a
  // while); Tokenizer is thread-safe and its cache does not change results.
  static const std::unique_ptr<Tokenizer> t = [] {
    std::string path;
    try {
      path = clip::text::defaultVocabularyPath();
    } catch (const std::exception &e) {
      ADD_FAILURE() << e.what() << "\n(run scripts/fetch_bpe_vocab.sh)";
      throw;
    }
    return std::make_unique<Tokenizer>(path);
  }();
  return *t;
}

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "clip-text-" + std::to_string(::getpid()) +
         "-" + name;
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

/// A gzip file holding `data` in stored (uncompressed) deflate blocks.
std::string gzipStored(const std::string &data) {
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  size_t pos = 0;
  do {
    size_t len = std::min<size_t>(data.size() - pos, 65535);
    bool last = pos + len == data.size();
    out.push_back(char(last ? 1 : 0));
    out.push_back(char(len & 0xff));
    out.push_back(char(len >> 8));
    out.push_back(char(~len & 0xff));
    out.push_back(char((~len >> 8) & 0xff));
    out.append(data, pos, len);
    pos += len;
  } while (pos < data.size());
  uint32_t crc = clip::text::crc32(
      reinterpret_cast<const uint8_t *>(data.data()), data.size());
  uint32_t size = uint32_t(data.size());
  for (uint32_t v : {crc, size})
    for (int k = 0; k < 4; ++k)
      out.push_back(char((v >> (8 * k)) & 0xff));
  return out;
}

/// The message of the runtime_error constructing a tokenizer from `path`.
std::string loadError(const std::string &path) {
  try {
    Tokenizer t(path);
  } catch (const std::runtime_error &e) {
    return e.what();
  }
  return "(no error)";
}

Ids withContext(Ids ids, size_t n = 77) {
  ids.insert(ids.begin(), Tokenizer::kStartOfText);
  ids.push_back(Tokenizer::kEndOfText);
  ids.resize(n, 0);
  return ids;
}

} // namespace

TEST(Tokenizer, KnownIdsFromOpenClip) {
  const Tokenizer &t = tokenizer();
  struct Case {
    const char *text;
    Ids ids;
  } cases[] = {
      {"a photo of a cat", {320, 1125, 539, 320, 2368}},
      {"Hello, World! It's 2024.",
       {3306, 267, 1002, 256, 585, 568, 273, 271, 273, 275, 269}},
      {"caf\u00e9", {15304}},
      {"cafe\u0301", {15304}}, // NFC
      {"\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33",
       {7464, 31575}},
      {"&amp;lt;3 &eacute;t&eacute;", {283, 274, 3459, 39694}},
      {"\u201cquoted\u201d it\u2019s", {257, 27706, 257, 585, 568}},
      {"sch\u00c3\u00b6n", {844, 7255, 333}}, // mojibake of "schön"
      {"\U0001F468\u200d\U0001F469\u200d\U0001F467 \U0001F3FD",
       {25023, 26304, 964, 356, 6114}},
      {"\u4e00\u53ea\u732b", {19759, 222, 34517, 103, 163, 234, 360}},
      {"\u039f\u0394\u039f\u03a3",
       {138, 123, 138, 112, 138, 123, 139, 480}}, // final sigma
      {"<start_of_text>", {49406}},
      {"don't", {847, 713}},
      {"\ufb01ne", {3797}},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(t.encode(c.text), c.ids) << c.text;
    EXPECT_EQ(t.tokenize(c.text), withContext(c.ids)) << c.text;
  }
  EXPECT_EQ(t.vocabularySize(), 49408);
}

TEST(Tokenizer, EmptyAndWhitespace) {
  const Tokenizer &t = tokenizer();
  for (const char *text : {"", " ", "\t\r\n", "\u3000\u00a0", "\x01\x7f"}) {
    EXPECT_TRUE(t.encode(text).empty()) << text;
    EXPECT_EQ(t.tokenize(text), withContext({})) << text;
  }
}

TEST(Tokenizer, TruncationKeepsEndOfTextLast) {
  const Tokenizer &t = tokenizer();
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += "word ";
  Ids ids = t.tokenize(text);
  ASSERT_EQ(ids.size(), 77u);
  EXPECT_EQ(ids.front(), Tokenizer::kStartOfText);
  EXPECT_EQ(ids.back(), Tokenizer::kEndOfText);
  for (size_t i = 1; i < 76; ++i)
    EXPECT_EQ(ids[i], 2653) << i;

  // 75 words fit exactly (sot + 75 + eot = 77); 76 do not: the 76th word's
  // id is replaced by eot.
  std::string fits, over;
  for (int i = 0; i < 75; ++i)
    fits += "word ";
  over = fits + "cat";
  Ids exact = t.tokenize(fits);
  EXPECT_EQ(exact, withContext(Ids(75, 2653)));
  EXPECT_EQ(t.tokenize(over), exact);
}

TEST(Tokenizer, ContextLengths) {
  const Tokenizer &t = tokenizer();
  EXPECT_EQ(t.tokenize("a photo of a cat", 1), Ids({Tokenizer::kEndOfText}));
  EXPECT_EQ(t.tokenize("a photo of a cat", 2),
            Ids({Tokenizer::kStartOfText, Tokenizer::kEndOfText}));
  EXPECT_EQ(t.tokenize("a photo of a cat", 4), Ids({49406, 320, 1125, 49407}));
  EXPECT_EQ(t.tokenize("a photo of a cat", 8),
            Ids({49406, 320, 1125, 539, 320, 2368, 49407, 0}));
  EXPECT_EQ(t.tokenize("", 1), Ids({Tokenizer::kEndOfText}));
  EXPECT_THROW(t.tokenize("x", 0), std::invalid_argument);
  EXPECT_THROW(t.tokenize("x", -3), std::invalid_argument);
}

TEST(Tokenizer, InvalidUtf8BecomesReplacementCharacters) {
  const Tokenizer &t = tokenizer();
  const std::string fffd = "\xef\xbf\xbd";
  struct Case {
    std::string bytes, asText;
  } cases[] = {
      {"\xff", fffd},
      {"a\xe2\x82z", "a" + fffd + "z"},     // truncated sequence: one U+FFFD
      {"\xed\xa0\x80", fffd + fffd + fffd}, // a surrogate: one per byte
      {"\xc0\xaf", fffd + fffd},            // overlong
      {"\xf0\x9f\x98", fffd},               // truncated at the end
      {"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd}, // beyond U+10FFFF
      {"ok\x80\x80ok", "ok" + fffd + fffd + "ok"},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(clip::text::cleanText(c.bytes), clip::text::cleanText(c.asText));
    EXPECT_EQ(t.tokenize(c.bytes), t.tokenize(c.asText));
  }
  EXPECT_EQ(clip::text::cleanText("a\xe2\x82z"), "a" + fffd + "z");
}

TEST(Tokenizer, Decode) {
  const Tokenizer &t = tokenizer();
  EXPECT_EQ(t.decode(t.encode("Hello, World! It's 2024.")),
            "hello , world ! it 's 2 0 2 4 . ");
  EXPECT_EQ(t.decode({49406, 320, 1125, 49407, 0, 0}),
            "<start_of_text>a photo <end_of_text>!!");
  EXPECT_EQ(t.decode({158, 224}),
            "\xef\xbf\xbd"); // bytes E2 82: an incomplete character
  EXPECT_EQ(t.decode({128, 129}), "\xef\xbf\xbd\xef\xbf\xbd"); // C4, C5: two
  EXPECT_EQ(t.decode({}), "");
  EXPECT_THROW(t.decode({49408}), std::out_of_range);
  EXPECT_THROW(t.decode({-1}), std::out_of_range);
}

TEST(Tokenizer, CleaningFollowsFtfyAndPython) {
  using clip::text::cleanText;
  // ftfy's own documented examples, then lower-cased as OpenCLIP does.
  EXPECT_EQ(cleanText("\u00e2\u0153\u201d No problems"), "\u2714 no problems");
  EXPECT_EQ(cleanText("&macr;\\_(\u00e3\u0083\u0084)_/&macr;"),
            "\u00af\\_(\u30c4)_/\u00af");
  EXPECT_EQ(cleanText("Broken text&hellip; it&#x2019;s \ufb02ubberi\ufb01c!"),
            "broken text\u2026 it's flubberific!"); // NFC keeps the ellipsis
  EXPECT_EQ(cleanText("P&EACUTE;REZ"), "p\u00e9rez");
  EXPECT_EQ(cleanText("BUNDESSTRA&SZLIG;E"), "bundesstrasse");
  EXPECT_EQ(cleanText("voil\u00c3 le travail"), "voil\u00e0 le travail");
  // Python's str.lower: final sigma, dotted capital I.
  EXPECT_EQ(cleanText("\u039f\u0394\u039f\u03a3 \u03a3"),
            "\u03bf\u03b4\u03bf\u03c2 \u03c3");
  EXPECT_EQ(cleanText("\u0130"), "i\u0307");
  // Whitespace collapsed; tabs, line breaks and Unicode spaces split words.
  EXPECT_EQ(cleanText("  a\tb\r\nc\u2028d\u3000e  "), "a b c d e");
  // A '<' turns ftfy's entity decoding off, html.unescape still runs twice.
  EXPECT_EQ(cleanText("<b> &amp;amp; &EACUTE;"), "<b> & &eacute;");
}

TEST(Tokenizer, SharedAcrossThreads) {
  const Tokenizer &t = tokenizer();
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i)
    texts.push_back("caption number " + std::to_string(i * 7919) +
                    " of a \u00e9l\u00e9phant");
  std::vector<Ids> expected;
  for (const std::string &s : texts)
    expected.push_back(t.tokenize(s));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int rep = 0; rep < 5; ++rep)
        for (size_t i = 0; i < texts.size(); ++i)
          mismatches[k] += t.tokenize(texts[(i + k * 31) % texts.size()]) !=
                           expected[(i + k * 31) % texts.size()];
    });
  }
  for (std::thread &th : threads)
    th.join();
  for (int k = 0; k < 4; ++k)
    EXPECT_EQ(mismatches[k], 0);
}

TEST(TokenizerVocabulary, MissingFile) {
  std::string path = tempPath("does-not-exist.txt.gz");
  std::string message = loadError(path);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("cannot open"), std::string::npos) << message;
}

TEST(TokenizerVocabulary, NotGzip) {
  std::string path = tempPath("plain.txt.gz");
  writeFile(path, "#version: 0.2\ni n\n");
  std::string message = loadError(path);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("not gzip"), std::string::npos) << message;
  std::remove(path.c_str());
}

TEST(TokenizerVocabulary, TruncatedAndCorruptGzip) {
  std::string real = readFile(clip::text::defaultVocabularyPath());
  ASSERT_GT(real.size(), 1000u);

  std::string truncated = tempPath("truncated.txt.gz");
  writeFile(truncated, real.substr(0, real.size() / 2));
  std::string message = loadError(truncated);
  EXPECT_NE(message.find(truncated), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  std::remove(truncated.c_str());

  // A changed byte inside the compressed stream: a decoding error or, at the
  // latest, the CRC-32 check.
  std::string corrupt = tempPath("corrupt.txt.gz");
  std::string bytes = real;
  bytes[bytes.size() / 3] ^= 0x10;
  writeFile(corrupt, bytes);
  message = loadError(corrupt);
  EXPECT_NE(message.find(corrupt), std::string::npos) << message;
  EXPECT_TRUE(message.find("corrupt") != std::string::npos ||
              message.find("CRC-32") != std::string::npos ||
              message.find("length mismatch") != std::string::npos)
      << message;
  std::remove(corrupt.c_str());
}

TEST(TokenizerVocabulary, MalformedContents) {
  struct Case {
    std::string contents, expected;
  } cases[] = {
      {"#version: 0.2\ni n\nt h\n", "2 merge lines, 48894 needed"},
      {"#version: 0.2", "no merge lines"},
      {"#version: 0.2\ni n x\n", "line 2 is 'i n x', not two symbols"},
      {"#version: 0.2\nin\n", "line 2 is 'in', not two symbols"},
  };
  for (const Case &c : cases) {
    std::string path = tempPath("malformed.txt.gz");
    writeFile(path, gzipStored(c.contents));
    std::string message = loadError(path);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    std::remove(path.c_str());
  }
  // The real file, re-packed in stored blocks, loads and tokenizes the same.
  std::string path = tempPath("stored.txt.gz");
  std::string text = clip::text::gunzip([] {
    std::string s = readFile(clip::text::defaultVocabularyPath());
    return std::vector<uint8_t>(s.begin(), s.end());
  }());
  writeFile(path, gzipStored(text));
  Tokenizer stored(path);
  EXPECT_EQ(stored.tokenize("Hello, World! It's 2024."),
            tokenizer().tokenize("Hello, World! It's 2024."));
  std::remove(path.c_str());
}

TEST(TokenizerVocabulary, DefaultPathHonoursEnvironment) {
  std::string real = clip::text::defaultVocabularyPath();
  std::string missing = tempPath("missing-vocab.txt.gz");
  ::setenv("CLIPC_BPE_VOCAB", missing.c_str(), 1);
  try {
    clip::text::defaultVocabularyPath();
    ADD_FAILURE() << "no error for a missing $CLIPC_BPE_VOCAB";
  } catch (const std::runtime_error &e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos)
        << e.what();
  }
  ::setenv("CLIPC_BPE_VOCAB", real.c_str(), 1);
  EXPECT_EQ(clip::text::defaultVocabularyPath(), real);
  ::unsetenv("CLIPC_BPE_VOCAB");
}
