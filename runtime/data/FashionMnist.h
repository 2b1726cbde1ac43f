//===- FashionMnist.h - Fashion-MNIST from its IDX files ------------------===//
//
// Debian's dataset-fashion-mnist installs the four IDX files gzipped under
// /usr/share/datasets/fashion-mnist: {train,t10k}-{images-idx3,labels-idx1}-
// ubyte.gz (60,000 and 10,000 28x28 gray images, labels 0..9). A directory
// may hold them gzipped or plain. Every header field is checked (magic,
// rank, dims, counts of images and labels agreeing, the data filling the
// file exactly, labels below 10); an error names the file and the field.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_FASHIONMNIST_H
#define CLIP_RUNTIME_DATA_FASHIONMNIST_H

#include "runtime/data/Sample.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace clip::data {

/// Where Debian installs the files.
constexpr const char *kFashionMnistDirectory =
    "/usr/share/datasets/fashion-mnist";

struct LabeledImages {
  int64_t count = 0, height = 0, width = 0;
  std::vector<uint8_t> pixels; // count x height x width
  std::vector<int64_t> labels; // count, in [0, 10)
};

/// The training (60,000) or test (10,000) split; "" = Debian's directory.
LabeledImages loadFashionMnist(const std::string &directory, bool train);

/// The ten class names, by label.
const std::vector<std::string> &fashionMnistClasses();

/// The whole content of a file, gunzipped when it is gzip (zlib reads plain
/// files as they are); a truncated or corrupt gzip stream is a DataError.
std::vector<uint8_t> readMaybeGzip(const std::string &path);

/// Parses an IDX file image: magic 0x0000 08 RR (unsigned bytes, rank RR),
/// big-endian dims, then the data, which must fill the file exactly.
/// Returns the dims; `data` points into `bytes`. `origin` names the file.
std::vector<int64_t> parseIdx(const std::vector<uint8_t> &bytes,
                              const std::string &origin, int expectedRank,
                              const uint8_t **data);

/// The split as a SampleSource: images as 28x28 gray (no encoding round
/// trip), caption makeCaption(class, captionTemplateFor(captionSeed, index)).
std::unique_ptr<SampleSource> openFashionMnist(const std::string &directory,
                                               bool train,
                                               uint64_t captionSeed);

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_FASHIONMNIST_H
