//===- FashionMnist.cpp - IDX files (gzipped or not) and their source -----===//
#include "runtime/data/FashionMnist.h"

#include "runtime/data/Captions.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <zlib.h>

namespace clip::data {

namespace {

struct GzFile {
  gzFile file = nullptr;
  ~GzFile() {
    if (file)
      gzclose(file);
  }
};

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

uint32_t bigEndian32(const uint8_t *p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) |
         (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

/// `directory`/`stem`.gz or `directory`/`stem`.
std::string findIdx(const std::string &directory, const std::string &stem) {
  const std::string base = directory + "/" + stem;
  if (exists(base + ".gz"))
    return base + ".gz";
  if (exists(base))
    return base;
  throw DataError(fmt::format(
      "{}.gz: not found (nor {}){}", base, base,
      directory == kFashionMnistDirectory
          ? "; install Debian's dataset-fashion-mnist (scripts/setup.sh)"
          : ""));
}

class FashionMnistSource final : public SampleSource {
public:
  FashionMnistSource(LabeledImages data, bool train, uint64_t seed)
      : data_(std::move(data)), split_(train ? "train" : "test"), seed_(seed) {}

  size_t size() const override { return static_cast<size_t>(data_.count); }

  std::string where(size_t index) const override {
    return fmt::format("fashion-mnist {} image {}", split_, index);
  }

  Sample get(size_t index) const override {
    if (index >= size())
      throw DataError(fmt::format("{}: index out of range (the split has {})",
                                  where(index), size()));
    Sample sample;
    const size_t pixels = static_cast<size_t>(data_.height) * data_.width;
    sample.image.height = data_.height;
    sample.image.width = data_.width;
    sample.image.channels = 1;
    const uint8_t *first = data_.pixels.data() + index * pixels;
    sample.image.pixels.assign(first, first + pixels);
    sample.caption = makeCaption(fashionMnistClasses()[data_.labels[index]],
                                 captionTemplateFor(seed_, index));
    sample.where = where(index);
    return sample;
  }

private:
  LabeledImages data_;
  std::string split_;
  uint64_t seed_;
};

} // namespace

std::vector<uint8_t> readMaybeGzip(const std::string &path) {
  GzFile gz;
  errno = 0;
  gz.file = gzopen(path.c_str(), "rb");
  if (!gz.file)
    throw DataError(
        fmt::format("{}: cannot open: {}", path,
                    errno ? std::strerror(errno) : "out of memory"));
  std::vector<uint8_t> bytes;
  constexpr unsigned kChunk = 1 << 20;
  for (;;) {
    const size_t used = bytes.size();
    bytes.resize(used + kChunk);
    const int got = gzread(gz.file, bytes.data() + used, kChunk);
    if (got < 0) {
      int code = 0;
      const char *message = gzerror(gz.file, &code);
      throw DataError(fmt::format("{}: corrupt gzip data after {} bytes: {}",
                                  path, used, message));
    }
    bytes.resize(used + static_cast<size_t>(got));
    if (got == 0)
      break;
  }
  int code = 0;
  const char *message = gzerror(gz.file, &code);
  if (code != Z_OK)
    throw DataError(fmt::format("{}: {} gzip data after {} bytes: {}", path,
                                code == Z_BUF_ERROR ? "truncated" : "corrupt",
                                bytes.size(), message));
  return bytes;
}

std::vector<int64_t> parseIdx(const std::vector<uint8_t> &bytes,
                              const std::string &origin, int expectedRank,
                              const uint8_t **data) {
  if (bytes.size() < 4)
    throw DataError(fmt::format("{}: IDX magic: the file has {} bytes, the "
                                "magic needs 4",
                                origin, bytes.size()));
  if (bytes[0] != 0 || bytes[1] != 0)
    throw DataError(fmt::format("{}: IDX magic: first bytes {:02x} {:02x}, "
                                "expected 00 00 (not an IDX file?)",
                                origin, bytes[0], bytes[1]));
  if (bytes[2] != 0x08)
    throw DataError(fmt::format("{}: IDX magic: element type 0x{:02x}, "
                                "expected 0x08 (unsigned byte)",
                                origin, bytes[2]));
  if (bytes[3] != expectedRank)
    throw DataError(fmt::format("{}: IDX magic: rank {}, expected {}", origin,
                                bytes[3], expectedRank));
  const size_t header = 4 + 4 * static_cast<size_t>(expectedRank);
  if (bytes.size() < header)
    throw DataError(fmt::format("{}: IDX dims: the file has {} bytes, the "
                                "header needs {}",
                                origin, bytes.size(), header));
  std::vector<int64_t> dims;
  uint64_t elements = 1;
  for (int i = 0; i < expectedRank; ++i) {
    const uint32_t d = bigEndian32(&bytes[4 + 4 * i]);
    if (d == 0 || d > (1u << 28))
      throw DataError(fmt::format("{}: IDX dim {} (offset {}) is {}", origin, i,
                                  4 + 4 * i, d));
    // Checked before multiplying: three dims of up to 2^28 overflow 64 bits
    // (to 0 for 2^9 x 2^28 x 2^28, which a header-only file then matched).
    if (elements > (uint64_t(1) << 40) / d)
      throw DataError(
          fmt::format("{}: IDX dims give more than 2^40 elements", origin));
    elements *= d;
    dims.push_back(d);
  }
  const uint64_t available = bytes.size() - header;
  if (available != elements) {
    std::string shape;
    for (int64_t d : dims)
      shape += fmt::format("{}{}", shape.empty() ? "" : "x", d);
    throw DataError(fmt::format("{}: IDX data: dims {} need {} bytes after "
                                "the {}-byte header, the file has {}{}",
                                origin, shape, elements, header, available,
                                available < elements ? " (truncated)" : ""));
  }
  *data = bytes.data() + header;
  return dims;
}

LabeledImages loadFashionMnist(const std::string &directory, bool train) {
  const std::string dir =
      directory.empty() ? kFashionMnistDirectory : directory;
  const std::string prefix = train ? "train" : "t10k";
  const std::string imagesPath = findIdx(dir, prefix + "-images-idx3-ubyte");
  const std::string labelsPath = findIdx(dir, prefix + "-labels-idx1-ubyte");

  const std::vector<uint8_t> imageBytes = readMaybeGzip(imagesPath);
  const uint8_t *imageData = nullptr;
  const std::vector<int64_t> imageDims =
      parseIdx(imageBytes, imagesPath, 3, &imageData);
  const std::vector<uint8_t> labelBytes = readMaybeGzip(labelsPath);
  const uint8_t *labelData = nullptr;
  const std::vector<int64_t> labelDims =
      parseIdx(labelBytes, labelsPath, 1, &labelData);
  if (labelDims[0] != imageDims[0])
    throw DataError(fmt::format("{}: IDX dim 0: {} labels, but {} has {} "
                                "images",
                                labelsPath, labelDims[0], imagesPath,
                                imageDims[0]));
  LabeledImages out;
  out.count = imageDims[0];
  out.height = imageDims[1];
  out.width = imageDims[2];
  out.pixels.assign(imageData, imageData + out.count * out.height * out.width);
  out.labels.resize(out.count);
  const int64_t classes = static_cast<int64_t>(fashionMnistClasses().size());
  for (int64_t i = 0; i < out.count; ++i) {
    out.labels[i] = labelData[i];
    if (out.labels[i] >= classes)
      throw DataError(fmt::format("{}: label {} (offset {}) is {}, classes "
                                  "are 0..{}",
                                  labelsPath, i, 8 + i, out.labels[i],
                                  classes - 1));
  }
  return out;
}

const std::vector<std::string> &fashionMnistClasses() {
  static const std::vector<std::string> classes = {
      "t-shirt/top", "trouser", "pullover", "dress", "coat",
      "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};
  return classes;
}

std::unique_ptr<SampleSource> openFashionMnist(const std::string &directory,
                                               bool train,
                                               uint64_t captionSeed) {
  return std::make_unique<FashionMnistSource>(
      loadFashionMnist(directory, train), train, captionSeed);
}

} // namespace clip::data
