//===- TestFiles.h - Images, tars and scratch directories for the tests ---===//
#ifndef CLIP_TEST_UNIT_DATA_TESTFILES_H
#define CLIP_TEST_UNIT_DATA_TESTFILES_H

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace clip::data::test {

/// A directory removed (with its content) on destruction.
class ScratchDir {
public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;
  const std::string &path() const { return path_; }
  /// Writes `bytes` to path()/name and returns the full path.
  std::string write(const std::string &name,
                    const std::vector<uint8_t> &bytes) const;
  std::string write(const std::string &name, const std::string &text) const;

private:
  std::string path_;
};

struct PngSpec {
  int width = 0, height = 0;
  int colorType = 0; // PNG_COLOR_TYPE_*
  int bitDepth = 8;
  bool interlaced = false;
  std::vector<uint8_t> rows;    // packed rows as libpng expects them
  std::vector<uint8_t> palette; // RGB triples, palette images
  std::vector<uint8_t> alphas;  // tRNS of a palette image
};

std::vector<uint8_t> encodePng(const PngSpec &spec);

/// components: 1 (gray), 3 (RGB as YCbCr) or 4 (CMYK).
std::vector<uint8_t> encodeJpeg(int width, int height, int components,
                                const std::vector<uint8_t> &pixels,
                                int quality = 95);

/// One tar member (ustar header + data), `type` '0' for a file.
std::vector<uint8_t> tarMember(const std::string &name,
                               const std::vector<uint8_t> &data,
                               char type = '0');
/// A member whose name needs a GNU 'L' record before it.
std::vector<uint8_t> tarGnuLongName(const std::string &name,
                                    const std::vector<uint8_t> &data);
/// A member with a pax 'x' header giving its path.
std::vector<uint8_t> tarPaxPath(const std::string &name,
                                const std::vector<uint8_t> &data);
/// Two zero blocks.
std::vector<uint8_t> tarEnd();

std::vector<uint8_t> bytesOf(const std::string &text);
void append(std::vector<uint8_t> &to, const std::vector<uint8_t> &more);

/// The message of the DataError `f` throws, or "(no DataError)".
std::string errorOf(const std::function<void()> &f);

} // namespace clip::data::test

#endif // CLIP_TEST_UNIT_DATA_TESTFILES_H
