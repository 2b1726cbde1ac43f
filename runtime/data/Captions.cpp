//===- Captions.cpp - Caption templates -----------------------------------===//
#include "runtime/data/Captions.h"

#include <fmt/format.h>

#include <stdexcept>

namespace clip::data {

const std::vector<std::string> &captionTemplates() {
  static const std::vector<std::string> templates = {
      "a photo of a {}.",
      "a {} on a plain background.",
      "a black and white photo of a {}.",
      "a low resolution photo of a {}.",
      "a product photo of the {}.",
      "a grayscale image of a {}.",
      "a small picture of a {}.",
      "a blurry photo of the {}.",
      "a close-up photo of a {}.",
      "a catalog image of a {}.",
      "a pixelated photo of the {}.",
      "an item of clothing: a {}.",
      "a centered photo of one {}.",
      "a photo of the {}, a type of fashion item.",
      "a picture of my {}.",
      "a cropped photo of the {}.",
  };
  return templates;
}

std::string makeCaption(const std::string &className, size_t templateIndex) {
  const auto &templates = captionTemplates();
  if (templateIndex >= templates.size())
    throw std::out_of_range(fmt::format("caption template {} of {}",
                                        templateIndex, templates.size()));
  const std::string &t = templates[templateIndex];
  const size_t at = t.find("{}");
  std::string before = t.substr(0, at);
  // "a {}" before a vowel reads "an {}" ("an ankle boot").
  const bool article = before.size() >= 2 &&
                       before.compare(before.size() - 2, 2, "a ") == 0 &&
                       (before.size() == 2 || before[before.size() - 3] == ' ');
  if (article && !className.empty() &&
      std::string("aeiouAEIOU").find(className[0]) != std::string::npos)
    before.insert(before.size() - 1, "n");
  return before + className + t.substr(at + 2);
}

size_t captionTemplateFor(uint64_t seed, uint64_t index) {
  // SplitMix64 of a combination of both.
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<size_t>(z % captionTemplates().size());
}

} // namespace clip::data
