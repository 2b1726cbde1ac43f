//===- TextClean.cpp - OpenCLIP's _clean_lower, put together --------------===//
//
// basic_clean and whitespace_clean, then str.lower: the steps come from
// Ftfy.cpp, HtmlUnescape.cpp and Unicode.cpp (TextClean.h says which file
// holds what); this is only their order, as open_clip/tokenizer.py has it.
//
//===----------------------------------------------------------------------===//
#include "runtime/text/TextClean.h"
#include "runtime/text/TextInternal.h"

namespace clip::text::detail {

std::u32string cleanLower(std::u32string text) {
  // basic_clean
  text = ftfyFixText(std::move(text));
  text = htmlUnescape(text);
  text = htmlUnescape(text);
  // strip, then whitespace_clean: " ".join(text.split()).strip()
  std::u32string joined;
  joined.reserve(text.size());
  size_t i = 0, n = text.size();
  for (;;) {
    while (i < n && has(text[i], kFlagPySpace))
      ++i;
    if (i == n)
      break;
    if (!joined.empty())
      joined.push_back(U' ');
    while (i < n && !has(text[i], kFlagPySpace))
      joined.push_back(text[i++]);
  }
  return pyLower(joined);
}

} // namespace clip::text::detail
