//===- Captions.h - Captions for class-labelled images --------------------===//
//
// Fashion-MNIST has labels, not captions; CLIP training on it pairs each
// image with a caption made from its class name and one of a fixed list of
// templates (in the spirit of CLIP's zero-shot prompt ensembles).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_CAPTIONS_H
#define CLIP_RUNTIME_DATA_CAPTIONS_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace clip::data {

/// The templates; each holds "{}" exactly once, where the class name goes.
const std::vector<std::string> &captionTemplates();

/// captionTemplates()[templateIndex] with "{}" replaced by `className`
/// ("a {}" becomes "an {}" before a vowel); std::out_of_range for an index
/// past the list.
std::string makeCaption(const std::string &className, size_t templateIndex);

/// A template index in [0, captionTemplates().size()) that depends only on
/// (seed, index) (a SplitMix64 hash).
size_t captionTemplateFor(uint64_t seed, uint64_t index);

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_CAPTIONS_H
