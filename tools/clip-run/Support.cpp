//===- Support.cpp - What clip-run's commands share -----------------------===//

#include "Support.h"

#include "runtime/data/Data.h"
#include "runtime/gpu/CudaExecutor.h"
#include "runtime/text/Tokenizer.h"

#include "fmt/format.h"

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

/// The image-text source the flags name.
std::unique_ptr<data::SampleSource> openSource(const Flags &flags, bool train) {
  if (flags.given("csv"))
    return data::openCsv(flags.str("csv"), flags.str("csv-img-key"),
                         flags.str("csv-caption-key"),
                         flags.str("csv-separator") == "\\t"
                             ? '\t'
                             : flags.str("csv-separator").at(0));
  if (flags.given("tar"))
    return data::openTarShards(data::expandShards(flags.str("tar")));
  const std::string data = flags.str("data");
  if (data != "fashion-mnist")
    throw RuntimeError(fmt::format(
        "--data must be fashion-mnist (or use --csv / --tar), got `{}`", data));
  return data::openFashionMnist(flags.str("fashion-mnist-dir"), train,
                                static_cast<uint64_t>(flags.integer("seed")));
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

} // namespace clip::run
