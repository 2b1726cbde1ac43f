//===- Train.cpp - clip-run train and eval --------------------------------===//
//
// train: the compiled @train_step (loss and every gradient) driven by the
// data loader, with AdamW, OpenCLIP's schedule and logit-scale clamp,
// gradient clipping and accumulation, progress, metrics, checkpoints and
// resume, then zero-shot evaluation. eval: zero-shot classification of a
// checkpoint on Fashion-MNIST's test split.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Flags.h"
#include "ZeroShot.h"

#include "runtime/core/Executor.h"
#include "runtime/data/Data.h"
#include "runtime/gpu/CudaExecutor.h"
#include "runtime/io/Safetensors.h"
#include "runtime/text/Tokenizer.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Initialize.h"
#include "runtime/train/Metrics.h"
#include "runtime/train/Optimizer.h"

#include "fmt/format.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <omp.h>
#include <unistd.h>

namespace clip::run {

using runtime::CpuExecutor;
using runtime::Executor;
using runtime::RuntimeError;

namespace {

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
    throw RuntimeError(fmt::format("@{} has no input `{}`",
                                   executor.function().name, name));
  return index;
}

std::string duration(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
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

/// Zero-shot accuracy on Fashion-MNIST's test split with every caption
/// template, using the parameters of `trained`.
ZeroShotResult fashionMnistZeroShot(const runtime::Library &library,
                                    Executor &trained,
                                    const text::Tokenizer &tokenizer,
                                    const Flags &flags, int64_t imageSize) {
  std::unique_ptr<Executor> textEncoder =
      makeExecutor(library, "encode_text", flags.str("device"));
  std::unique_ptr<Executor> imageEncoder =
      makeExecutor(library, "encode_image", flags.str("device"));
  copyParameters(trained, *textEncoder);
  copyParameters(trained, *imageEncoder);
  const std::string dir = flags.str("fashion-mnist-dir");
  data::LabeledImages test = data::loadFashionMnist(dir, false);
  std::unique_ptr<data::SampleSource> images =
      data::openFashionMnist(dir, false, 0);
  // The training captions' templates (makeCaption: "a"/"an" as in training).
  std::vector<std::vector<std::string>> prompts;
  for (const std::string &name : data::fashionMnistClasses()) {
    prompts.emplace_back();
    for (size_t t = 0; t < data::captionTemplates().size(); ++t)
      prompts.back().push_back(data::makeCaption(name, t));
  }
  return zeroShot({*textEncoder, *imageEncoder}, tokenizer, prompts, *images,
                  test.labels, imageSize,
                  static_cast<int>(flags.integer("workers", 1)));
}

void printZeroShot(const ZeroShotResult &result) {
  fmt::print("zero-shot Fashion-MNIST test ({} images, {} templates): top-1 "
             "{:.2f}%  top-5 {:.2f}%\n",
             result.count, data::captionTemplates().size(), 100 * result.top1,
             100 * result.top5);
  const auto &names = data::fashionMnistClasses();
  std::string perClass;
  for (size_t c = 0; c < names.size(); ++c)
    perClass += fmt::format("{}{} {:.0f}%", c ? ", " : "", names[c],
                            100.0 * result.perClassCorrect[c] /
                                std::max<int64_t>(result.perClassCount[c], 1));
  fmt::print("  per class: {}\n", perClass);
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

} // namespace

int trainCommand(const std::vector<std::string> &args) {
  Flags flags = commonFlags();
  flags.value("steps", "0", "optimizer steps (0: --epochs of the data)")
      .value("epochs", "1", "passes over the data when --steps is 0")
      .value("lr", "5e-4", "peak learning rate")
      .value("wd", "0.2", "AdamW weight decay")
      .value("beta1", "0.9", "AdamW beta1")
      .value("beta2", "0.98", "AdamW beta2")
      .value("eps", "1e-6", "AdamW epsilon")
      .value("warmup", "-1", "warmup steps (-1: 5% of the steps)")
      .value("accum", "1", "micro-batches per optimizer step")
      .value("clip-grad", "0", "clip the global gradient norm (0: off)")
      .toggle("random-crop", "RandomResizedCrop(scale 0.9-1) for training")
      .value("init", "", "start from these parameters (safetensors)")
      .value("checkpoint", "", "checkpoint file, rewritten atomically")
      .value("save-every", "0", "steps between checkpoints (0: at the end)")
      .value("resume", "", "continue from this checkpoint")
      .value("metrics", "", "append step metrics here (JSONL)")
      .value("plot", "", "SVG plot of loss and accuracy")
      .value("log-every", "10", "steps between progress lines (non-tty)")
      .toggle("no-eval", "skip the final zero-shot evaluation");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run train FILE.so [options]\n\n{}", flags.help());
    return 0;
  }
  if (positionals.size() != 1)
    throw RuntimeError("train needs one clip.so file (see --help)");
  const std::string path = positionals[0];
  if (const int64_t threads = flags.integer("threads"); threads > 0)
    omp_set_num_threads(static_cast<int>(threads));

  runtime::Library library(path);
  std::unique_ptr<Executor> step =
      makeExecutor(library, "train_step", flags.str("device"));
  const ClipFunctionDesc &fn = step->function();
  const int32_t imageInput = inputIndex(*step, "image");
  const int32_t textInput = inputIndex(*step, "text");
  const ClipTensorDesc &imageDesc = fn.inputs[imageInput];
  const ClipTensorDesc &textDesc = fn.inputs[textInput];
  const int64_t batch = imageDesc.shape[0];
  const int64_t imageSize = imageDesc.shape[2];
  const int64_t contextLength = textDesc.shape[1];

  // Parameters: gradients and (BatchNorm) updated statistics by name.
  std::vector<std::string> names;
  for (int32_t i = 0; i < fn.numParams; ++i)
    names.push_back(fn.params[i].name);
  std::vector<train::AdamW::Param> trainable;
  std::vector<int32_t> gradOutputs;
  std::vector<std::pair<int32_t, int32_t>> updates; // (param, output)
  std::vector<int64_t> counts;
  int32_t lossOutput = -1;
  for (int32_t o = 0; o < fn.numOutputs; ++o)
    if (fn.outputs[o].rank == 0 && fn.outputs[o].dtype == CLIP_F32 &&
        lossOutput < 0)
      lossOutput = o;
  for (int32_t i = 0; i < fn.numParams; ++i) {
    for (int32_t o = 0; o < fn.numOutputs; ++o) {
      const std::string out = fn.outputs[o].name;
      if (out == "grad/" + names[i]) {
        trainable.push_back({names[i], static_cast<float *>(step->param(i)),
                             runtime::elementCount(fn.params[i]),
                             train::decays(names[i], fn.params[i].rank)});
        gradOutputs.push_back(o);
        counts.push_back(trainable.back().count);
      } else if (out == "update/" + names[i]) {
        updates.emplace_back(i, o);
      }
    }
  }
  if (lossOutput < 0 || trainable.empty())
    throw RuntimeError(fmt::format("{}: @train_step has no loss or gradients",
                                   path));
  int32_t logitScale = -1;
  for (size_t t = 0; t < trainable.size(); ++t)
    if (trainable[t].name == "logit_scale")
      logitScale = static_cast<int32_t>(t);

  train::AdamWConfig adam;
  adam.lr = flags.number("lr");
  adam.weightDecay = flags.number("wd");
  adam.beta1 = flags.number("beta1");
  adam.beta2 = flags.number("beta2");
  adam.eps = flags.number("eps");
  train::AdamW optimizer(trainable, adam);

  const uint64_t seed = static_cast<uint64_t>(flags.integer("seed"));
  int64_t startStep = 0;
  if (flags.given("resume")) {
    auto meta = train::loadCheckpoint(flags.str("resume"), *step, &optimizer);
    startStep = optimizer.steps();
    if (auto it = meta.find("train/seed");
        it != meta.end() && std::stoull(it->second) != seed)
      throw RuntimeError(fmt::format(
          "{}: checkpoint was trained with --seed {}, this run has {}",
          flags.str("resume"), it->second, seed));
  } else if (flags.given("init")) {
    train::loadCheckpoint(flags.str("init"), *step, nullptr);
  } else {
    std::mt19937_64 rng(seed);
    for (int32_t i = 0; i < fn.numParams; ++i)
      train::initializeParameter(
          names[i],
          std::vector<int64_t>(fn.params[i].shape,
                               fn.params[i].shape + fn.params[i].rank),
          train::towerDepth(names[i], names),
          static_cast<float *>(step->param(i)), rng);
  }

  text::Tokenizer tokenizer(vocabularyPath(flags));
  std::unique_ptr<data::SampleSource> source = openSource(flags, true);
  const int64_t accum = flags.integer("accum", 1);
  data::LoaderConfig loaderConfig;
  loaderConfig.batchSize = batch;
  loaderConfig.preprocess.size = imageSize;
  loaderConfig.preprocess.randomResizedCrop = flags.on("random-crop");
  loaderConfig.contextLength = contextLength;
  loaderConfig.threads = static_cast<int>(flags.integer("workers", 1));
  loaderConfig.seed = seed;
  loaderConfig.skipBad = flags.on("skip-bad");
  loaderConfig.startBatch = startStep * accum;
  data::Loader loader(*source, loaderConfig,
                      [&](const std::string &caption, int64_t *tokens) {
                        std::vector<int64_t> ids =
                            tokenizer.tokenize(caption, contextLength);
                        std::copy(ids.begin(), ids.end(), tokens);
                      });
  const int64_t totalSteps =
      flags.integer("steps") > 0
          ? flags.integer("steps")
          : flags.integer("epochs", 1) * loader.batchesPerEpoch() / accum;
  const int64_t warmup = flags.integer("warmup", -1) >= 0
                             ? flags.integer("warmup", -1)
                             : std::max<int64_t>(1, totalSteps / 20);
  const double clipNorm = flags.number("clip-grad");
  const int64_t saveEvery = flags.integer("save-every");
  const std::string checkpoint = flags.str("checkpoint");
  std::unique_ptr<train::MetricsLog> metrics;
  if (flags.given("metrics"))
    metrics = std::make_unique<train::MetricsLog>(flags.str("metrics"),
                                                  startStep > 0);

  fmt::print("train {}: @train_step on {}, batch {} x {} accumulation, {} "
             "image-text pairs ({} batches an epoch), steps {}..{} of {}, "
             "warmup {}, lr {:g}, wd {:g}\n",
             path, step->deviceName(), batch, accum, source->size(),
             loader.batchesPerEpoch(), startStep + 1, totalSteps, totalSteps,
             warmup, adam.lr, adam.weightDecay);
  std::fflush(stdout);

  auto save = [&](int64_t done) {
    if (checkpoint.empty())
      return;
    train::saveCheckpoint(checkpoint, *step, &optimizer,
                          {{"train/step", std::to_string(done)},
                           {"train/seed", std::to_string(seed)},
                           {"train/model", library.desc().model},
                           {"train/accum", std::to_string(accum)}});
  };

  std::vector<std::vector<float>> gradSums(trainable.size());
  for (size_t t = 0; t < trainable.size(); ++t)
    gradSums[t].resize(counts[t]);
  std::vector<const float *> grads(trainable.size());
  const bool tty = isatty(fileno(stdout));
  const int64_t logEvery = flags.integer("log-every", 1);
  const auto start = std::chrono::steady_clock::now();
  double lossAverage = NAN;
  for (int64_t s = startStep; s < totalSteps; ++s) {
    const double lr = train::cosineLr(adam.lr, warmup, totalSteps, s);
    double loss = 0;
    for (int64_t a = 0; a < accum; ++a) {
      data::Batch b = loader.next();
      std::memcpy(step->input(imageInput), b.images.data(),
                  b.images.size() * sizeof(float));
      std::memcpy(step->input(textInput), b.tokens.data(),
                  b.tokens.size() * sizeof(int64_t));
      step->run();
      loss += *static_cast<const float *>(step->output(lossOutput)) / accum;
      for (size_t t = 0; t < trainable.size(); ++t) {
        const auto *g =
            static_cast<const float *>(step->output(gradOutputs[t]));
        float *sum = gradSums[t].data();
        if (accum == 1) {
          grads[t] = g;
          continue;
        }
        for (int64_t i = 0; i < counts[t]; ++i)
          sum[i] = (a == 0 ? 0.0f : sum[i]) + g[i] / accum;
        grads[t] = sum;
      }
    }
    const double norm = train::globalNorm(grads, counts);
    if (clipNorm > 0 && norm > clipNorm) {
      const float scale = static_cast<float>(clipNorm / norm);
      for (size_t t = 0; t < trainable.size(); ++t) {
        float *sum = gradSums[t].data();
        for (int64_t i = 0; i < counts[t]; ++i)
          sum[i] = grads[t][i] * scale;
        grads[t] = sum;
      }
    }
    optimizer.step(grads, lr);
    if (logitScale >= 0) {
      float &value = *trainable[logitScale].value;
      value = std::clamp(value, 0.0f, std::log(100.0f));
    }
    for (auto [param, output] : updates)
      std::memcpy(step->param(param), step->output(output),
                  runtime::byteSize(fn.params[param]));

    const int64_t done = s + 1;
    lossAverage = std::isnan(lossAverage) ? loss : 0.95 * lossAverage + 0.05 * loss;
    const double elapsed = std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - start)
                               .count();
    const double stepsPerSecond = (done - startStep) / elapsed;
    const double pairsPerSecond = stepsPerSecond * batch * accum;
    const double scale =
        logitScale >= 0 ? std::exp(*trainable[logitScale].value) : NAN;
    if (metrics)
      metrics->write({{"step", double(done)},
                      {"loss", loss},
                      {"lr", lr},
                      {"grad_norm", norm},
                      {"logit_scale", scale},
                      {"pairs_per_s", pairsPerSecond},
                      {"data_wait_s", loader.stats().waitSeconds}},
                     "train");
    if (saveEvery > 0 && done % saveEvery == 0 && done < totalSteps)
      save(done);
    if (tty || done % logEvery == 0 || done == totalSteps ||
        done == startStep + 1) {
      const double eta = (totalSteps - done) / stepsPerSecond;
      const int width = 24;
      const int filled = static_cast<int>(width * done / totalSteps);
      fmt::print("{}[{}{}] step {}/{}  loss {:.4f} (avg {:.4f})  lr {:.2e}  "
                 "scale {:.1f}  {:.0f} pairs/s  ETA {}{}",
                 tty ? "\r" : "", std::string(filled, '#'),
                 std::string(width - filled, '.'), done, totalSteps, loss,
                 lossAverage, lr, scale, pairsPerSecond, duration(eta),
                 tty && done < totalSteps ? "" : "\n");
      std::fflush(stdout);
    }
  }
  save(totalSteps);
  const double elapsed = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  const data::Loader::Stats stats = loader.stats();
  fmt::print("trained {} steps in {} ({:.1f} s; waited {:.1f} s on data, {} "
             "bad samples skipped){}\n",
             totalSteps - startStep, duration(elapsed), elapsed,
             stats.waitSeconds, stats.skipped,
             checkpoint.empty() ? "" : "; checkpoint " + checkpoint);

  if (!flags.on("no-eval") && flags.str("data") == "fashion-mnist" &&
      !flags.given("csv") && !flags.given("tar")) {
    const auto evalStart = std::chrono::steady_clock::now();
    ZeroShotResult result =
        fashionMnistZeroShot(library, *step, tokenizer, flags, imageSize);
    printZeroShot(result);
    fmt::print("  evaluated in {:.1f} s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             evalStart)
                   .count());
    if (metrics)
      metrics->write({{"step", double(totalSteps)},
                      {"zero_shot_top1", result.top1},
                      {"zero_shot_top5", result.top5}},
                     "eval");
  }
  if (flags.given("plot")) {
    if (!metrics)
      throw RuntimeError("--plot needs --metrics (the plot is drawn from it)");
    train::writeSvgPlot(flags.str("plot"),
                        fmt::format("clip-run train {}", library.desc().model),
                        train::readSeries(flags.str("metrics"),
                                          {"loss", "lr", "grad_norm",
                                           "zero_shot_top1"}));
    fmt::print("plot: {}\n", flags.str("plot"));
  }
  return 0;
}

namespace {

/// Images from a folder (sorted) or a list file (one path a line).
class ImageFiles final : public data::SampleSource {
public:
  explicit ImageFiles(const std::string &where) {
    namespace fs = std::filesystem;
    if (fs::is_directory(where)) {
      for (const auto &entry : fs::directory_iterator(where)) {
        const std::string ext = entry.path().extension().string();
        if (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".PNG" ||
            ext == ".JPG" || ext == ".JPEG")
          paths.push_back(entry.path().string());
      }
      std::sort(paths.begin(), paths.end());
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
  size_t size() const override { return paths.size(); }
  data::Sample get(size_t index) const override {
    return {data::readImageFile(paths[index]), "", paths[index]};
  }
  std::string where(size_t index) const override { return paths[index]; }
  const std::vector<std::string> &files() const { return paths; }

private:
  std::vector<std::string> paths;
};

/// [rows, dim] f32 as .npy (version 1.0, little-endian, C order).
void writeNpy(const std::string &path, const std::vector<float> &values,
              int64_t rows, int64_t dim) {
  std::string header = fmt::format(
      "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}", rows,
      dim);
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary);
    const uint16_t length = static_cast<uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    out.write(reinterpret_cast<const char *>(&length), 2);
    out << header;
    out.write(reinterpret_cast<const char *>(values.data()),
              static_cast<std::streamsize>(values.size() * sizeof(float)));
    if (!out)
      throw RuntimeError(fmt::format("cannot write {}", path));
  }
  std::filesystem::rename(partial, path);
}

} // namespace

int embedCommand(const std::vector<std::string> &args) {
  Flags flags = commonFlags();
  flags.value("params", "", "parameters or checkpoint (safetensors)")
      .value("images", "", "a folder of .png/.jpg files, or a list file")
      .value("texts", "", "a file with one text a line")
      .value("out", "embeddings.safetensors",
             "output: .safetensors (embeddings + names) or .npy");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run embed FILE.so --params CHECKPOINT (--images "
               "DIR|LIST | --texts FILE) [--out F]\nL2-normalized "
               "embeddings, one row per image or text, in input order.\n\n{}",
               flags.help());
    return 0;
  }
  if (positionals.size() != 1 || !flags.given("params") ||
      flags.given("images") == flags.given("texts"))
    throw RuntimeError("embed needs one clip.so file, --params, and one of "
                       "--images or --texts (see --help)");
  if (const int64_t threads = flags.integer("threads"); threads > 0)
    omp_set_num_threads(static_cast<int>(threads));
  runtime::Library library(positionals[0]);
  const bool images = flags.given("images");
  std::unique_ptr<Executor> encoder = makeExecutor(
      library, images ? "encode_image" : "encode_text", flags.str("device"));
  train::loadCheckpoint(flags.str("params"), *encoder, nullptr);
  int64_t dim = 0;
  std::vector<float> embeddings;
  std::vector<std::string> names;
  if (images) {
    ImageFiles files(flags.str("images"));
    embeddings = embedImages(*encoder, files, encoder->function().inputs[0].shape[2],
                             static_cast<int>(flags.integer("workers", 1)),
                             flags.on("skip-bad"), dim);
    names = files.files();
  } else {
    std::ifstream in(flags.str("texts"));
    if (!in)
      throw RuntimeError(fmt::format("{}: no such file", flags.str("texts")));
    for (std::string line; std::getline(in, line);)
      names.push_back(line);
    text::Tokenizer tokenizer(vocabularyPath(flags));
    embeddings = embedTexts(*encoder, tokenizer, names, dim);
  }
  const int64_t rows = static_cast<int64_t>(names.size());
  const std::string out = flags.str("out");
  if (out.size() > 4 && out.substr(out.size() - 4) == ".npy") {
    writeNpy(out, embeddings, rows, dim);
  } else {
    io::SafetensorsWriter writer;
    std::vector<uint8_t> bytes(embeddings.size() * sizeof(float));
    std::memcpy(bytes.data(), embeddings.data(), bytes.size());
    writer.add("embeddings", io::DType::F32, {rows, dim}, std::move(bytes));
    // Which row is which: the file or text of each row, in metadata.
    std::string index;
    for (const std::string &name : names)
      index += name + "\n";
    writer.setMetadata("rows", index);
    writer.write(out);
  }
  fmt::print("{} {} embeddings of dim {} -> {}\n", rows,
             images ? "image" : "text", dim, out);
  return 0;
}

int evalCommand(const std::vector<std::string> &args) {
  Flags flags = commonFlags();
  flags.value("params", "", "parameters or checkpoint (safetensors)");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run eval FILE.so --params CHECKPOINT [options]\n"
               "Zero-shot classification of Fashion-MNIST's test split, or\n"
               "image-text retrieval (R@1/5/10) on --csv or --tar pairs.\n\n{}",
               flags.help());
    return 0;
  }
  if (positionals.size() != 1 || !flags.given("params"))
    throw RuntimeError("eval needs one clip.so file and --params (see --help)");
  if (const int64_t threads = flags.integer("threads"); threads > 0)
    omp_set_num_threads(static_cast<int>(threads));
  runtime::Library library(positionals[0]);
  std::unique_ptr<Executor> holder =
      makeExecutor(library, "train_step", flags.str("device"));
  train::loadCheckpoint(flags.str("params"), *holder, nullptr);
  text::Tokenizer tokenizer(vocabularyPath(flags));
  const int32_t image = inputIndex(*holder, "image");
  if (flags.given("csv") || flags.given("tar")) {
    // Retrieval on image-caption pairs: caption i belongs to image i.
    std::unique_ptr<data::SampleSource> pairs = openSource(flags, false);
    std::unique_ptr<Executor> textEncoder =
        makeExecutor(library, "encode_text", flags.str("device"));
    std::unique_ptr<Executor> imageEncoder =
        makeExecutor(library, "encode_image", flags.str("device"));
    copyParameters(*holder, *textEncoder);
    copyParameters(*holder, *imageEncoder);
    std::vector<std::string> captions;
    for (size_t i = 0; i < pairs->size(); ++i)
      captions.push_back(pairs->get(i).caption);
    int64_t dim = 0;
    const std::vector<float> images = embedImages(
        *imageEncoder, *pairs, holder->function().inputs[image].shape[2],
        static_cast<int>(flags.integer("workers", 1)), flags.on("skip-bad"),
        dim);
    const std::vector<float> texts =
        embedTexts(*textEncoder, tokenizer, captions, dim);
    const Retrieval r = retrieval(images, texts,
                                  static_cast<int64_t>(captions.size()), dim);
    fmt::print("retrieval on {} pairs: image->text R@1 {:.2f}% R@5 {:.2f}% "
               "R@10 {:.2f}%; text->image R@1 {:.2f}% R@5 {:.2f}% R@10 "
               "{:.2f}%\n",
               captions.size(), 100 * r.imageToText[0], 100 * r.imageToText[1],
               100 * r.imageToText[2], 100 * r.textToImage[0],
               100 * r.textToImage[1], 100 * r.textToImage[2]);
    return 0;
  }
  ZeroShotResult result = fashionMnistZeroShot(
      library, *holder, tokenizer, flags,
      holder->function().inputs[image].shape[2]);
  printZeroShot(result);
  return 0;
}

} // namespace clip::run
