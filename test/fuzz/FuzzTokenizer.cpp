//===- FuzzTokenizer.cpp - libFuzzer: captions to token ids ---------------===//
//
// Any bytes as a caption: ftfy's fixes, HTML unescaping, whitespace and
// case cleaning, the BPE (the real merges), truncation to 77 ids. Every
// result is 77 ids in the vocabulary, starting with <start_of_text>.
//
//===----------------------------------------------------------------------===//
#include "runtime/text/Tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const clip::text::Tokenizer tokenizer(
      clip::text::defaultVocabularyPath());
  const std::vector<int64_t> ids = tokenizer.tokenize(
      std::string_view(reinterpret_cast<const char *>(data), size), 77);
  if (ids.size() != 77 || ids[0] != clip::text::Tokenizer::kStartOfText)
    std::abort();
  for (int64_t id : ids)
    if (id < 0 || id > clip::text::Tokenizer::kEndOfText)
      std::abort();
  return 0;
}
