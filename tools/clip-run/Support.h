//===- Support.h - What clip-run's commands share ---------------*- C++ -*-===//
#ifndef CLIP_TOOLS_CLIP_RUN_SUPPORT_H
#define CLIP_TOOLS_CLIP_RUN_SUPPORT_H

#include "Flags.h"

#include "runtime/core/Executor.h"
#include "runtime/data/Sample.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace clip::run {

/// An executor of `function` on `device` ("cpu" or "cuda").
std::unique_ptr<runtime::Executor> makeExecutor(const runtime::Library &library,
                                                const std::string &function,
                                                const std::string &device);
/// The index of input `name`; throws naming the function.
int32_t inputIndex(const runtime::Executor &executor, const char *name);
/// The flags of every data-reading command: device, threads, data sources.
Flags commonFlags();
/// The CSV at `path`, read with the --csv-* flags' columns and separator.
std::unique_ptr<data::SampleSource> openCsv(const Flags &flags,
                                            const std::string &path);
/// The image-text source the flags name (--csv, --tar or --data).
std::unique_ptr<data::SampleSource> openSource(const Flags &flags, bool train);
/// Image files as a sample source (no captions).
class ImageFiles final : public data::SampleSource {
public:
  /// The images of a folder (sorted by name) or of a list file (one path a
  /// line).
  explicit ImageFiles(const std::string &where);
  /// The given files, in order; each must exist.
  explicit ImageFiles(std::vector<std::string> paths);
  /// A labelled folder: one sub-folder a class (sorted; its name is the
  /// class name, `_` read as a space), its images the class's.
  static ImageFiles labelledFolder(const std::string &folder,
                                   std::vector<std::string> &classNames,
                                   std::vector<int64_t> &labels);

  size_t size() const override { return paths.size(); }
  data::Sample get(size_t index) const override;
  std::string where(size_t index) const override { return paths[index]; }
  const std::vector<std::string> &files() const { return paths; }

private:
  ImageFiles() = default;
  std::vector<std::string> paths;
};

/// The model's encoders (@encode_text, @encode_image, as asked) with the
/// parameters of --params, read once (any checkpoint io::readParameters
/// reads), and CLIP's score scale exp(logit_scale), clamped at 100.
struct LoadedEncoders {
  std::unique_ptr<runtime::Executor> text, image;
  double logitScale = 100;
};
LoadedEncoders loadEncoders(const runtime::Library &library,
                            const Flags &flags, bool text = true,
                            bool image = true);

/// `s` without leading and trailing blanks.
std::string trimmed(const std::string &s);
/// --vocab, or where set-up put the BPE vocabulary.
std::string vocabularyPath(const Flags &flags);

} // namespace clip::run

#endif // CLIP_TOOLS_CLIP_RUN_SUPPORT_H
