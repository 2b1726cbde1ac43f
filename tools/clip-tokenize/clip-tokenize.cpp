//===- clip-tokenize.cpp - CLIP's tokenizer on the command line -----------===//
//
//   clip-tokenize [options] [FILE]
//
// Reads captions, one per line, from FILE or stdin, and writes one line per
// caption: the ids of open_clip.tokenize (space-separated), or with --mode
// the ids of encode, the cleaned text, or (decode) the text of id lines.
// The parity test (test/parity/tokenizer_parity.py) drives it with
// --format hex so that captions may hold newlines and any bytes.
//
//===----------------------------------------------------------------------===//

#include "runtime/text/Tokenizer.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char *usage = R"(usage: clip-tokenize [options] [FILE]
Reads one caption per line from FILE (default: stdin) and writes one line per
caption.

options:
  --vocab F             the merges file (bpe_simple_vocab_16e6.txt.gz); default:
                        $CLIPC_BPE_VOCAB, the source tree's third_party/clip/,
                        <exe dir>/../share/clipc/
  --mode M              tokenize: open_clip.tokenize ids (default)
                        encode:   BPE ids without start/end of text
                        clean:    the cleaned text BPE splits
                        decode:   input lines are ids; writes their text
  --context-length N    tokenize's length (default 77)
  --format text|hex     text: lines as they are (default); hex: each line is
                        the caption's bytes in hexadecimal (input, and the
                        output of clean and decode)
  --time                print the number of captions and captions/s to stderr
)";

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "clip-tokenize: %s\n", message.c_str());
  std::exit(1);
}

std::string fromHex(const std::string &line, size_t lineNo) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    die(fmt::format("line {}: '{}' is not a hexadecimal digit", lineNo, c));
  };
  if (line.size() % 2)
    die(fmt::format("line {}: an odd number of hexadecimal digits", lineNo));
  std::string out;
  out.reserve(line.size() / 2);
  for (size_t i = 0; i < line.size(); i += 2)
    out.push_back(char(nibble(line[i]) << 4 | nibble(line[i + 1])));
  return out;
}

std::string toHex(const std::string &bytes) {
  static const char *digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

} // namespace

int main(int argc, char **argv) {
  std::string vocab, mode = "tokenize", format = "text", file;
  int64_t contextLength = clip::text::Tokenizer::kContextLength;
  bool time = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        die(a + " wants a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      return 0;
    } else if (a == "--vocab") {
      vocab = value();
    } else if (a == "--mode") {
      mode = value();
      if (mode != "tokenize" && mode != "encode" && mode != "clean" &&
          mode != "decode")
        die("--mode is tokenize, encode, clean or decode, not '" + mode + "'");
    } else if (a == "--context-length") {
      std::string v = value();
      try {
        size_t used = 0;
        contextLength = std::stoll(v, &used);
        if (used != v.size() || contextLength < 1)
          throw std::invalid_argument(v);
      } catch (const std::exception &) {
        die("--context-length wants a positive integer, got '" + v + "'");
      }
    } else if (a == "--format") {
      format = value();
      if (format != "text" && format != "hex")
        die("--format is text or hex, not '" + format + "'");
    } else if (a == "--time") {
      time = true;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      die("unknown option " + a + "\n" + usage);
    } else if (file.empty()) {
      file = a;
    } else {
      die("one input file only\n" + std::string(usage));
    }
  }

  try {
    std::vector<std::string> lines;
    {
      std::ifstream f;
      std::istream *in = &std::cin;
      if (!file.empty() && file != "-") {
        f.open(file, std::ios::binary);
        if (!f)
          die(fmt::format("cannot open '{}': {}", file, std::strerror(errno)));
        in = &f;
      }
      std::string line;
      while (std::getline(*in, line))
        lines.push_back(format == "hex" && mode != "decode"
                            ? fromHex(line, lines.size() + 1)
                            : line);
    }
    if (mode == "clean") {
      std::string out;
      for (const std::string &l : lines) {
        std::string c = clip::text::cleanText(l);
        out += format == "hex" ? toHex(c) : c;
        out += '\n';
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      return 0;
    }
    clip::text::Tokenizer tokenizer(
        vocab.empty() ? clip::text::defaultVocabularyPath() : vocab);
    std::string out;
    auto start = std::chrono::steady_clock::now();
    double seconds = 0;
    if (mode == "decode") {
      for (size_t n = 0; n < lines.size(); ++n) {
        std::istringstream ss(lines[n]);
        std::vector<int64_t> ids;
        std::string word;
        while (ss >> word) {
          try {
            size_t used = 0;
            ids.push_back(std::stoll(word, &used));
            if (used != word.size())
              throw std::invalid_argument(word);
          } catch (const std::invalid_argument &) {
            die(fmt::format("line {}: '{}' is not a token id", n + 1, word));
          }
        }
        std::string text = tokenizer.decode(ids);
        out += format == "hex" ? toHex(text) : text;
        out += '\n';
      }
    } else {
      std::vector<std::vector<int64_t>> results(lines.size());
      for (size_t n = 0; n < lines.size(); ++n)
        results[n] = mode == "encode"
                         ? tokenizer.encode(lines[n])
                         : tokenizer.tokenize(lines[n], contextLength);
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              start)
                    .count();
      for (const auto &ids : results) {
        for (size_t k = 0; k < ids.size(); ++k) {
          if (k)
            out += ' ';
          out += std::to_string(ids[k]);
        }
        out += '\n';
      }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (time)
      std::fprintf(stderr,
                   "clip-tokenize: %zu captions in %.3f s: %.0f captions/s\n",
                   lines.size(), seconds,
                   seconds > 0 ? double(lines.size()) / seconds : 0.0);
  } catch (const std::exception &e) {
    die(e.what());
  }
  return 0;
}
