//===- Filter.cpp - clip-run filter: keep pairs a model scores highly -----===//
//
// How LAION was built from the web: score every image-caption pair by the
// cosine similarity of its CLIP embeddings and keep those at or above a
// threshold (0.3 for LAION-400M, 0.28 for LAION-5B's English part, with
// ViT-B/32). Streams the source block by block (one block = the encoder's
// batch of images and their captions), writes the kept pairs and their
// scores to a CSV (from a CSV) or to new WebDataset shards, reports corrupt
// samples and skips them, and shows progress.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Support.h"
#include "ZeroShot.h"

#include "runtime/data/Data.h"
#include "runtime/data/DataError.h"
#include "runtime/data/TarWriter.h"
#include "runtime/io/Pretrained.h"
#include "runtime/text/Tokenizer.h"
#include "runtime/train/Checkpoint.h"

#include "fmt/format.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <omp.h>

namespace clip::run {

using runtime::Executor;
using runtime::RuntimeError;

namespace {

/// A CSV field, quoted as RFC 4180 when it holds the separator, a quote or
/// a line break.
std::string csvField(const std::string &text, char separator) {
  if (text.find_first_of(std::string{separator, '"', '\n', '\r'}) ==
      std::string::npos)
    return text;
  std::string out = "\"";
  for (char c : text)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\')
      out += '\\', out += static_cast<char>(c);
    else if (c < 0x20)
      out += fmt::format("\\u{:04x}", c);
    else
      out += static_cast<char>(c);
  }
  return out + "\"";
}

/// Where kept pairs go: one CSV, or shards of `shardSize` pairs named
/// PREFIX-000000.tar, PREFIX-000001.tar, ...
class Output {
public:
  Output(const Flags &flags) {
    if (flags.given("out") == flags.given("out-tar"))
      throw RuntimeError("filter writes to exactly one of --out F.csv or "
                         "--out-tar PREFIX (see --help)");
    if (flags.given("out")) {
      csvPath = flags.str("out");
      csv.open(csvPath + ".partial");
      if (!csv)
        throw RuntimeError(fmt::format("{}: cannot create", csvPath));
      csv << "filepath\ttitle\tscore\n";
    } else {
      prefix = flags.str("out-tar");
      shardSize = flags.integer("shard-size", 1);
    }
  }

  void keep(const data::StoredSample &sample, const std::string &caption,
            double score, int64_t index) {
    if (!csvPath.empty()) {
      if (sample.name.empty())
        throw RuntimeError("--out writes a CSV of image paths: use --out-tar "
                           "for tar shards");
      csv << csvField(std::filesystem::absolute(sample.name).string(), '\t')
          << '\t' << csvField(caption, '\t') << '\t'
          << fmt::format("{:.6f}", score) << '\n';
      ++kept;
      return;
    }
    if (!shard || shard->members() >= 3 * shardSize) {
      if (shard)
        shard->finish();
      shard = std::make_unique<data::TarWriter>(
          fmt::format("{}-{:06d}.tar", prefix, shards++));
    }
    const std::string key = fmt::format("{:09d}", kept++);
    shard->add(key + "." + (sample.imageExt.empty() ? "jpg" : sample.imageExt),
               sample.image);
    shard->add(key + ".txt", caption);
    shard->add(key + ".json",
               fmt::format("{{\"score\": {:.6f}, \"source\": {}, \"index\": "
                           "{}}}",
                           score, jsonString(sample.where), index));
  }

  void finish() {
    if (!csvPath.empty()) {
      csv.close();
      if (!csv)
        throw RuntimeError(fmt::format("{}: write error", csvPath));
      std::filesystem::rename(csvPath + ".partial", csvPath);
    } else if (shard) {
      shard->finish();
    }
  }

  std::string describe() const {
    return csvPath.empty()
               ? fmt::format("{} shard{} {}-*.tar", shards,
                             shards == 1 ? "" : "s", prefix)
               : csvPath;
  }

private:
  std::string csvPath, prefix;
  std::ofstream csv;
  int64_t shardSize = 0, shards = 0, kept = 0;
  std::unique_ptr<data::TarWriter> shard;
};

} // namespace

int filterCommand(const std::vector<std::string> &args) {
  Flags flags = commonFlags();
  flags
      .value("params", "",
             "parameters: any checkpoint --params takes (ours, Hugging Face, "
             "torch.save, sharded)")
      .value("min-score", "0.3",
             "keep pairs whose cosine similarity is at least this (LAION-400M "
             "0.3, LAION-5B English 0.28, with ViT-B/32)")
      .value("out", "", "kept pairs as a CSV: filepath, title, score (from --csv)")
      .value("out-tar", "",
             "kept pairs as WebDataset shards PREFIX-000000.tar, ... (image, "
             ".txt caption, .json score and source)")
      .value("shard-size", "10000", "pairs per output shard");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run filter FILE.so --params CHECKPOINT (--csv F | "
               "--tar SHARDS) --min-score S (--out F.csv | --out-tar PREFIX)\n"
               "Scores every image-caption pair (every caption of an image "
               "with several) by the\ncosine similarity of its embeddings and "
               "writes those at or above --min-score.\n\n{}",
               flags.help());
    return 0;
  }
  if (positionals.size() != 1 || !flags.given("params") ||
      flags.given("csv") == flags.given("tar"))
    throw RuntimeError("filter needs one clip.so file, --params and one of "
                       "--csv or --tar (see --help)");
  const double minScore = flags.number("min-score");
  if (!(minScore >= -1 && minScore <= 1))
    throw RuntimeError(fmt::format(
        "--min-score is a cosine similarity, in [-1, 1] (got {})", minScore));
  if (flags.given("tar") && flags.given("out"))
    throw RuntimeError("--out writes a CSV of image paths, which tar samples "
                       "do not have: use --out-tar");
  if (const int64_t threads = flags.integer("threads"); threads > 0)
    omp_set_num_threads(static_cast<int>(threads));

  runtime::Library library(positionals[0]);
  LoadedEncoders encoders = loadEncoders(library, flags);
  Executor &textEncoder = *encoders.text, &imageEncoder = *encoders.image;
  text::Tokenizer tokenizer(vocabularyPath(flags));
  std::unique_ptr<data::SampleSource> source = openSource(flags, false);
  Output output(flags);

  const ClipTensorDesc &input = imageEncoder.function().inputs[0];
  const int64_t batch = input.shape[0], size = input.shape[2];
  const int64_t imageFloats = runtime::elementCount(input) / batch;
  const int64_t dim = imageEncoder.function().outputs[0].shape[1];
  data::PreprocessConfig preprocess;
  preprocess.size = size;
  const int64_t total = static_cast<int64_t>(source->size());
  int64_t pairs = 0, kept = 0, corrupt = 0;
  const auto start = std::chrono::steady_clock::now();
  auto lastReport = start;
  auto* pixels = static_cast<float *>(imageEncoder.input(0));

  for (int64_t first = 0; first < total; first += batch) {
    const int64_t count = std::min(batch, total - first);
    std::vector<data::StoredSample> samples(count);
    std::vector<std::string> errors(count);
    // Read, decode and preprocess the block's images in parallel; a sample
    // that fails is reported and left out.
#pragma omp parallel for schedule(dynamic)
    for (int64_t i = 0; i < count; ++i) {
      try {
        samples[i] = source->stored(first + i);
        const data::Image image =
            data::decodeImage(samples[i].image, samples[i].where);
        data::preprocess(image, preprocess, pixels + i * imageFloats);
      } catch (const std::exception &e) {
        errors[i] = e.what();
      }
    }
    std::fill(pixels + count * imageFloats, pixels + batch * imageFloats, 0.0f);
    imageEncoder.run();
    std::vector<float> images(
        static_cast<const float *>(imageEncoder.output(0)),
        static_cast<const float *>(imageEncoder.output(0)) + count * dim);
    std::vector<std::string> captions;
    std::vector<int64_t> owner;
    for (int64_t i = 0; i < count; ++i) {
      if (!errors[i].empty()) {
        fmt::print(stderr, "filter: skipping a bad sample: {}\n", errors[i]);
        ++corrupt;
        continue;
      }
      for (const std::string &c : samples[i].captions) {
        captions.push_back(c);
        owner.push_back(i);
      }
    }
    int64_t textDim = 0;
    const std::vector<float> texts =
        captions.empty() ? std::vector<float>()
                         : embedTexts(textEncoder, tokenizer, captions, textDim);
    for (size_t t = 0; t < captions.size(); ++t) {
      const int64_t i = owner[t];
      double dot = 0, norm = 0;
      for (int64_t d = 0; d < dim; ++d) {
        dot += double(images[i * dim + d]) * texts[t * dim + d];
        norm += double(images[i * dim + d]) * images[i * dim + d];
      }
      const double score = dot / std::max(std::sqrt(norm), 1e-12);
      ++pairs;
      if (score >= minScore) {
        output.keep(samples[i], captions[t], score, first + i);
        ++kept;
      }
    }
    const auto now = std::chrono::steady_clock::now();
    const int64_t done = first + count;
    if (now - lastReport > std::chrono::seconds(10) || done == total) {
      lastReport = now;
      const double seconds = std::chrono::duration<double>(now - start).count();
      const double rate = done / std::max(seconds, 1e-9);
      fmt::print("filter: {}/{} images, {} pairs: kept {}, dropped {}, "
                 "corrupt {}; {:.1f} images/s, ETA {:.0f} s\n",
                 done, total, pairs, kept, pairs - kept, corrupt, rate,
                 (total - done) / std::max(rate, 1e-9));
      std::fflush(stdout);
    }
  }
  output.finish();
  fmt::print("filter: kept {} of {} pairs ({:.1f}%) at min score {} -> {}; "
             "{} corrupt sample{} skipped\n",
             kept, pairs, 100.0 * kept / std::max<int64_t>(pairs, 1), minScore,
             output.describe(), corrupt, corrupt == 1 ? "" : "s");
  return 0;
}

} // namespace clip::run
