//===- Sample.h - Image-caption pairs from a data set ---------------------===//
//
// A SampleSource is an indexed, read-only set of (image, caption) pairs:
// Fashion-MNIST with templated captions, a CSV of image paths and captions,
// or WebDataset tar shards. get() may be called from several threads at once
// (the Loader's workers do); it decodes the image and throws a DataError
// naming the sample (file, row or member) when that fails.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_SAMPLE_H
#define CLIP_RUNTIME_DATA_SAMPLE_H

#include "runtime/data/ImageDecode.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace clip::data {

struct Sample {
  Image image;
  /// The caption: the sample's first; the Loader puts the one it picked
  /// here when there are several.
  std::string caption;
  /// Where the sample comes from, for messages: "data.csv line 12 (img/a.jpg)".
  std::string where;
  /// Every caption of the image (Flickr30k and COCO have 5): CSV rows that
  /// share an image path, or a tar sample's .json "captions" list. Empty
  /// means just `caption`.
  std::vector<std::string> captions;
};

/// A sample as stored, undecoded: what `clip-run filter` scores and copies.
struct StoredSample {
  std::vector<uint8_t> image; // the encoded file (PNG, JPEG)
  std::string imageExt;       // "png", "jpg", ...
  std::string name;           // the image's path (CSV) or the sample's key (tar)
  std::vector<std::string> captions;
  std::string where;
};

class SampleSource {
public:
  virtual ~SampleSource();
  virtual size_t size() const = 0;
  /// Thread-safe; throws DataError naming the sample.
  virtual Sample get(size_t index) const = 0;
  /// Where sample `index` comes from, without decoding it ("sample N"
  /// unless a source says better).
  virtual std::string where(size_t index) const;
  /// Every caption of sample `index` (at least one), without decoding its
  /// image where the source can (the default decodes).
  virtual std::vector<std::string> captionsOf(size_t index) const;
  /// Sample `index` as stored; throws DataError naming it when it cannot be
  /// read, or when the source keeps no files (Fashion-MNIST).
  virtual StoredSample stored(size_t index) const;
};

/// splitmix64's output function: a well-mixed 64-bit hash of `z` (seeds the
/// loader's per-pair generators, picks the held-out split).
uint64_t splitMix(uint64_t z);

/// Samples `indices` of `base` (which must outlive it), in that order.
std::unique_ptr<SampleSource> subsetOf(const SampleSource &base,
                                       std::vector<size_t> indices);

/// A held-out split that depends on nothing but the sample's index: sample
/// i is held out when a hash of i (splitmix64) falls below `fraction` of
/// its range, so every run, seed and rank count holds out the same samples.
/// Throws DataError when either side would be empty.
void splitHeldOut(size_t size, double fraction, std::vector<size_t> &kept,
                  std::vector<size_t> &heldOut);

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_SAMPLE_H
