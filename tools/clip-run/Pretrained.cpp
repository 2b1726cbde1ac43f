//===- Pretrained.cpp - clip-run convert, classify and search -------------===//
//
// What someone with a pretrained checkpoint reaches for: convert it to our
// safetensors, classify images among any labels (CLIP's zero-shot
// protocol with OpenAI's prompt templates), and search an index of
// embeddings written by `clip-run embed` by text or by image.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Support.h"
#include "ZeroShot.h"

#include "runtime/io/Pretrained.h"
#include "runtime/io/Safetensors.h"
#include "runtime/text/Tokenizer.h"
#include "runtime/train/Checkpoint.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <omp.h>
#include <sstream>

namespace clip::run {

using runtime::Executor;
using runtime::RuntimeError;

namespace {

/// --labels "a,b,c" or --labels-file F (one a line).
std::vector<std::string> labelsFrom(const Flags &flags) {
  if (flags.given("labels") == flags.given("labels-file"))
    throw RuntimeError("give the classes with exactly one of --labels "
                       "\"a,b,c\" or --labels-file F");
  std::vector<std::string> labels;
  if (flags.given("labels")) {
    std::stringstream in(flags.str("labels"));
    for (std::string label; std::getline(in, label, ',');)
      if (!trimmed(label).empty())
        labels.push_back(trimmed(label));
  } else {
    std::ifstream in(flags.str("labels-file"));
    if (!in)
      throw RuntimeError(
          fmt::format("{}: no such file", flags.str("labels-file")));
    for (std::string label; std::getline(in, label);)
      if (!trimmed(label).empty())
        labels.push_back(trimmed(label));
  }
  if (labels.size() < 2)
    throw RuntimeError(fmt::format(
        "classification needs at least two labels, got {}", labels.size()));
  std::vector<std::string> sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  if (auto d = std::adjacent_find(sorted.begin(), sorted.end());
      d != sorted.end())
    throw RuntimeError(fmt::format("label `{}` is given twice", *d));
  return labels;
}

int64_t imageSizeOf(const Executor &encodeImage) {
  return encodeImage.function().inputs[0].shape[2];
}

/// The flags of a command that runs a model on given inputs (no data set).
Flags modelFlags() {
  Flags flags;
  flags.value("device", "cpu", "cpu or cuda")
      .value("threads", "0", "CPU threads for the kernels (0: all cores)")
      .value("workers", "1", "image decoding threads")
      .value("vocab", "", "BPE vocabulary (default: found at set-up)")
      .toggle("help", "this help")
      .value("params", "",
              "parameters: safetensors (OpenCLIP's or Hugging Face's names), "
              "a sharded index, a torch.save .bin, or a folder of one");
  return flags;
}

void setThreads(const Flags &flags) {
  if (const int64_t threads = flags.integer("threads"); threads > 0)
    omp_set_num_threads(static_cast<int>(threads));
}

} // namespace

int convertCommand(const std::vector<std::string> &args) {
  Flags flags;
  flags.value("o", "", "output safetensors file (ours: OpenCLIP's names)")
      .toggle("help", "this help");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run convert CHECKPOINT -o OUT.safetensors\n"
               "CHECKPOINT: Hugging Face CLIPModel safetensors (or its "
               "sharded index, or its folder),\na torch.save state dict "
               "(open_clip_pytorch_model.bin, pytorch_model.bin), or\n"
               "OpenCLIP safetensors. Writes OpenCLIP's names in f32.\n\n{}",
               flags.help());
    return 0;
  }
  if (positionals.size() != 1 || !flags.given("o"))
    throw RuntimeError("convert needs one checkpoint and -o OUT.safetensors "
                       "(see --help)");
  io::ParameterSource source;
  const io::SafetensorsFile file =
      io::readParameters(positionals[0], &source);
  io::SafetensorsWriter writer;
  int64_t count = 0;
  for (const io::TensorView &t : file.tensors()) {
    writer.add(t.name, t.dtype, t.shape,
               std::vector<uint8_t>(t.data, t.data + t.byteSize));
    count += t.numel();
  }
  for (const auto &[key, value] : file.metadata())
    writer.setMetadata(key, value);
  writer.write(flags.str("o"));
  fmt::print("{} ({}): {} tensors, {} values -> {}\n", source.path,
             source.description, file.tensors().size(), count,
             flags.str("o"));
  return 0;
}

int classifyCommand(const std::vector<std::string> &args) {
  Flags flags = modelFlags();
  flags.value("labels", "", "the classes, comma-separated: \"cat,dog,car\"")
      .value("labels-file", "", "the classes, one a line")
      .value("templates", "imagenet",
             "prompts: simple (\"a photo of a {}.\"), imagenet (OpenAI's 80) "
             "or a file of templates with {}")
      .value("k", "5", "labels to print per image");
  std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run classify FILE.so --params CHECKPOINT "
               "IMAGES... (--labels \"a,b,c\" | --labels-file F)\n"
               "Zero-shot classification: each image's top-k labels with "
               "probabilities\n(softmax of the scaled cosine similarities, "
               "as CLIP scores).\n\n{}",
               flags.help());
    return 0;
  }
  if (positionals.size() < 2 || !flags.given("params"))
    throw RuntimeError("classify needs a clip.so file, --params and at least "
                       "one image (see --help)");
  setThreads(flags);
  const std::vector<std::string> labels = labelsFrom(flags);
  const std::vector<std::string> templates =
      promptTemplates(flags.str("templates"));
  const int64_t k = std::min<int64_t>(flags.integer("k", 1),
                                      static_cast<int64_t>(labels.size()));
  runtime::Library library(positionals[0]);
  LoadedEncoders encoders = loadEncoders(library, flags, true, true);
  ImageFiles images(
      std::vector<std::string>(positionals.begin() + 1, positionals.end()));
  text::Tokenizer tokenizer(vocabularyPath(flags));
  int64_t dim = 0;
  const std::vector<float> classes =
      classEmbeddings(*encoders.text, tokenizer, classPrompts(labels, templates),
                      dim);
  int64_t imageDim = 0;
  const std::vector<float> embedded = embedImages(
      *encoders.image, images, imageSizeOf(*encoders.image),
      static_cast<int>(flags.integer("workers", 1)), false, imageDim);
  const int64_t n = static_cast<int64_t>(labels.size());
  for (size_t i = 0; i < images.size(); ++i) {
    std::vector<double> logits(n);
    for (int64_t c = 0; c < n; ++c) {
      double s = 0;
      for (int64_t d = 0; d < dim; ++d)
        s += double(embedded[i * dim + d]) * classes[c * dim + d];
      logits[c] = encoders.logitScale * s;
    }
    const double top = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (double &l : logits)
      sum += (l = std::exp(l - top));
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return logits[a] > logits[b]; });
    std::string line;
    for (int64_t r = 0; r < k; ++r)
      line += fmt::format("{}{} {:.2f}%", r ? ", " : "", labels[order[r]],
                          100 * logits[order[r]] / sum);
    fmt::print("{}: {}\n", images.files()[i], line);
  }
  return 0;
}

int searchCommand(const std::vector<std::string> &args) {
  Flags flags = modelFlags();
  flags.value("index", "", "embeddings written by clip-run embed (safetensors)")
      .value("text", "", "query text")
      .value("image", "", "query image")
      .value("k", "10", "results to print");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run search FILE.so --params CHECKPOINT --index "
               "EMB.safetensors (--text \"query\" | --image F) [-k 10]\n"
               "Ranks the index's rows by cosine similarity to the query's "
               "embedding.\n\n{}",
               flags.help());
    return 0;
  }
  if (positionals.size() != 1 || !flags.given("params") ||
      !flags.given("index") || flags.given("text") == flags.given("image"))
    throw RuntimeError("search needs one clip.so file, --params, --index and "
                       "one of --text or --image (see --help)");
  setThreads(flags);
  const io::SafetensorsFile index =
      io::SafetensorsFile::read(flags.str("index"));
  const io::TensorView *rows = index.find("embeddings");
  if (!rows || rows->dtype != io::DType::F32 || rows->shape.size() != 2)
    throw RuntimeError(fmt::format(
        "{}: no f32 [rows, dim] `embeddings` (write one with clip-run embed)",
        flags.str("index")));
  std::vector<std::string> names;
  {
    auto it = index.metadata().find("rows");
    std::stringstream in(it == index.metadata().end() ? "" : it->second);
    for (std::string name; std::getline(in, name);)
      names.push_back(name);
  }
  const int64_t count = rows->shape[0], dim = rows->shape[1];
  if (static_cast<int64_t>(names.size()) != count)
    names.assign(count, "");

  runtime::Library library(positionals[0]);
  const bool byText = flags.given("text");
  LoadedEncoders encoders = loadEncoders(library, flags, byText, !byText);
  int64_t queryDim = 0;
  std::vector<float> query;
  if (byText) {
    text::Tokenizer tokenizer(vocabularyPath(flags));
    query = embedTexts(*encoders.text, tokenizer, {flags.str("text")},
                       queryDim);
  } else {
    ImageFiles image(std::vector<std::string>{flags.str("image")});
    query = embedImages(*encoders.image, image, imageSizeOf(*encoders.image),
                        1, false, queryDim);
  }
  if (queryDim != dim)
    throw RuntimeError(fmt::format(
        "{}: rows of dim {}, but this model embeds in dim {} (another model "
        "wrote the index?)",
        flags.str("index"), dim, queryDim));
  const std::vector<double> values = rows->toDoubles();
  std::vector<std::pair<double, int64_t>> scores(count);
  for (int64_t r = 0; r < count; ++r) {
    double s = 0, norm = 0;
    for (int64_t d = 0; d < dim; ++d) {
      s += values[r * dim + d] * query[d];
      norm += values[r * dim + d] * values[r * dim + d];
    }
    scores[r] = {-s / std::max(std::sqrt(norm), 1e-12), r};
  }
  const int64_t k = std::min(flags.integer("k", 1), count);
  std::partial_sort(scores.begin(), scores.begin() + k, scores.end());
  for (int64_t r = 0; r < k; ++r)
    fmt::print("{:>3}  {:.4f}  {}\n", r + 1, -scores[r].first,
               names[scores[r].second].empty()
                   ? fmt::format("row {}", scores[r].second)
                   : names[scores[r].second]);
  return 0;
}

} // namespace clip::run
