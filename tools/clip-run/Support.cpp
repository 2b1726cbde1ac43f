//===- Support.cpp - What clip-run's commands share -----------------------===//

#include "Support.h"

#include "runtime/data/Data.h"
#include "runtime/io/Pretrained.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/gpu/CudaExecutor.h"
#include "runtime/text/Tokenizer.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace clip::run {

using runtime::CpuExecutor;
using runtime::Executor;
using runtime::RuntimeError;

std::unique_ptr<Executor> makeExecutor(const runtime::Library &library,
                                       const std::string &function,
                                       const std::string &device) {
  if (device == "cuda")
    return std::make_unique<gpu::CudaExecutor>(library, function);
  if (device != "cpu")
    throw RuntimeError(
        fmt::format("--device must be cpu or cuda (got `{}`)", device));
  return std::make_unique<CpuExecutor>(library, function);
}

int32_t inputIndex(const Executor &executor, const char *name) {
  const int32_t index = executor.inputIndex(name);
  if (index < 0)
    throw RuntimeError(
        fmt::format("@{} has no input `{}`", executor.function().name, name));
  return index;
}

std::unique_ptr<data::SampleSource> openCsv(const Flags &flags,
                                            const std::string &path) {
  return data::openCsv(path, flags.str("csv-img-key"),
                       flags.str("csv-caption-key"),
                       flags.str("csv-separator") == "\\t"
                           ? '\t'
                           : flags.str("csv-separator").at(0));
}

/// The image-text source the flags name.
std::unique_ptr<data::SampleSource> openSource(const Flags &flags, bool train) {
  if (flags.given("csv"))
    return openCsv(flags, flags.str("csv"));
  if (flags.given("tar"))
    return data::openTarShards(data::expandShards(flags.str("tar")));
  const std::string data = flags.str("data");
  if (data != "fashion-mnist")
    throw RuntimeError(fmt::format(
        "--data must be fashion-mnist (or use --csv / --tar), got `{}`", data));
  return data::openFashionMnist(flags.str("fashion-mnist-dir"), train,
                                static_cast<uint64_t>(flags.integer("seed")));
}

std::string trimmed(const std::string &s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos)
    return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

LoadedEncoders loadEncoders(const runtime::Library &library,
                            const Flags &flags, bool text, bool image) {
  const io::SafetensorsFile params = io::readParameters(flags.str("params"));
  LoadedEncoders e;
  if (text) {
    e.text = makeExecutor(library, "encode_text", flags.str("device"));
    train::bindParameters(params, *e.text);
  }
  if (image) {
    e.image = makeExecutor(library, "encode_image", flags.str("device"));
    train::bindParameters(params, *e.image);
  }
  if (const io::TensorView *s = params.find("logit_scale");
      s && s->numel() == 1)
    e.logitScale = std::min(100.0, std::exp(s->toDoubles()[0]));
  return e;
}

std::string vocabularyPath(const Flags &flags) {
  return flags.given("vocab") ? flags.str("vocab")
                              : text::defaultVocabularyPath();
}

Flags commonFlags() {
  Flags flags;
  flags.value("device", "cpu", "cpu or cuda")
      .value("threads", "0", "CPU threads for the kernels (0: all cores)")
      .value("workers", "1", "data loading threads")
      .value("seed", "0", "seed of initialization, data order and captions")
      .value("vocab", "", "BPE vocabulary (default: found at set-up)")
      .value("data", "fashion-mnist", "built-in dataset: fashion-mnist")
      .value("fashion-mnist-dir", "",
             "IDX files (default: Debian's dataset-fashion-mnist)")
      .value("csv", "", "CSV of image paths and captions")
      .value("csv-img-key", "filepath", "CSV column of the image path")
      .value("csv-caption-key", "title", "CSV column of the caption")
      .value("csv-separator", "\\t", "CSV separator")
      .value("tar", "", "WebDataset shards, e.g. data-{000..009}.tar")
      .toggle("skip-bad", "report and skip corrupt images or rows")
      .toggle("help", "this help");
  return flags;
}

namespace {

bool isImageFile(const std::filesystem::path &p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::vector<std::string> imagesIn(const std::filesystem::path &folder) {
  std::vector<std::string> paths;
  for (const auto &entry : std::filesystem::directory_iterator(folder))
    if (entry.is_regular_file() && isImageFile(entry.path()))
      paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

} // namespace

ImageFiles::ImageFiles(const std::string &where) {
  namespace fs = std::filesystem;
  if (fs::is_directory(where)) {
    paths = imagesIn(where);
  } else {
    std::ifstream in(where);
    if (!in)
      throw RuntimeError(fmt::format("{}: no such folder or list file", where));
    for (std::string line; std::getline(in, line);)
      if (!line.empty())
        paths.push_back(line);
  }
  if (paths.empty())
    throw RuntimeError(fmt::format("{}: no images (.png, .jpg)", where));
}

ImageFiles::ImageFiles(std::vector<std::string> files) : paths(std::move(files)) {
  for (const std::string &p : paths)
    if (!std::filesystem::is_regular_file(p))
      throw RuntimeError(fmt::format("{}: no such image file", p));
  if (paths.empty())
    throw RuntimeError("no image files given");
}

ImageFiles ImageFiles::labelledFolder(const std::string &folder,
                                      std::vector<std::string> &classNames,
                                      std::vector<int64_t> &labels) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(folder))
    throw RuntimeError(fmt::format("{}: no such folder", folder));
  std::vector<fs::path> classes;
  for (const auto &entry : fs::directory_iterator(folder))
    if (entry.is_directory())
      classes.push_back(entry.path());
  std::sort(classes.begin(), classes.end());
  ImageFiles files;
  classNames.clear();
  labels.clear();
  for (const fs::path &c : classes) {
    std::vector<std::string> images = imagesIn(c);
    if (images.empty())
      throw RuntimeError(fmt::format(
          "{}: class folder `{}` holds no images (.png, .jpg)", folder,
          c.filename().string()));
    std::string name = c.filename().string();
    std::replace(name.begin(), name.end(), '_', ' ');
    for (std::string &p : images) {
      files.paths.push_back(std::move(p));
      labels.push_back(static_cast<int64_t>(classNames.size()));
    }
    classNames.push_back(std::move(name));
  }
  if (classNames.size() < 2)
    throw RuntimeError(fmt::format(
        "{}: zero-shot evaluation needs at least two class folders (one "
        "folder a class, its images inside); found {}",
        folder, classNames.size()));
  return files;
}

data::Sample ImageFiles::get(size_t index) const {
  data::Sample sample;
  sample.image = data::readImageFile(paths[index]);
  sample.where = paths[index];
  return sample;
}

} // namespace clip::run
