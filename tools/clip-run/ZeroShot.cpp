//===- ZeroShot.cpp - Zero-shot classification with a compiled model ------===//

#include "ZeroShot.h"

#include "Support.h"

#include "runtime/data/Data.h"
#include "runtime/data/Loader.h"

#include "fmt/format.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

namespace clip::run {

using runtime::RuntimeError;

void copyParameters(runtime::Executor &from, runtime::Executor &to) {
  const ClipFunctionDesc &fn = to.function();
  for (int32_t i = 0; i < fn.numParams; ++i) {
    const int32_t j = from.paramIndex(fn.params[i].name);
    if (j < 0)
      throw RuntimeError(fmt::format("@{} has no parameter `{}` for @{}",
                                     from.function().name, fn.params[i].name,
                                     fn.name));
    std::memcpy(to.param(i), from.param(j), runtime::byteSize(fn.params[i]));
  }
}

namespace {

void normalizeRows(float *rows, int64_t count, int64_t dim) {
  for (int64_t r = 0; r < count; ++r) {
    double sum = 0;
    for (int64_t d = 0; d < dim; ++d)
      sum += double(rows[r * dim + d]) * rows[r * dim + d];
    const float scale =
        static_cast<float>(1.0 / std::max(std::sqrt(sum), 1e-12));
    for (int64_t d = 0; d < dim; ++d)
      rows[r * dim + d] *= scale;
  }
}

/// The one input and output of an encoder, checked.
struct EncoderShape {
  int64_t batch, width, dim;
};
EncoderShape encoderShape(runtime::Executor &encoder) {
  const ClipFunctionDesc &fn = encoder.function();
  if (fn.numInputs != 1 || fn.numOutputs != 1 || fn.outputs[0].rank != 2)
    throw RuntimeError(fmt::format("@{} is not an encoder (one input, one "
                                   "[batch, dim] output)",
                                   fn.name));
  return {fn.inputs[0].shape[0],
          runtime::elementCount(fn.inputs[0]) / fn.inputs[0].shape[0],
          fn.outputs[0].shape[1]};
}

} // namespace

std::vector<float> embedTexts(runtime::Executor &encodeText,
                              const text::Tokenizer &tokenizer,
                              const std::vector<std::string> &texts,
                              int64_t &dim) {
  const EncoderShape shape = encoderShape(encodeText);
  dim = shape.dim;
  std::vector<float> out(texts.size() * shape.dim);
  auto *tokens = static_cast<int64_t *>(encodeText.input(0));
  for (size_t start = 0; start < texts.size(); start += shape.batch) {
    const size_t rows = std::min<size_t>(shape.batch, texts.size() - start);
    for (int64_t r = 0; r < shape.batch; ++r) {
      // Padding rows repeat the last text; their embeddings are dropped.
      const std::string &text = texts[start + std::min<size_t>(r, rows - 1)];
      std::vector<int64_t> ids = tokenizer.tokenize(text, shape.width);
      std::copy(ids.begin(), ids.end(), tokens + r * shape.width);
    }
    encodeText.run();
    const auto *emb = static_cast<const float *>(encodeText.output(0));
    std::copy(emb, emb + rows * shape.dim, out.begin() + start * shape.dim);
  }
  normalizeRows(out.data(), static_cast<int64_t>(texts.size()), shape.dim);
  return out;
}

std::vector<float> embedImages(runtime::Executor &encodeImage,
                               const data::SampleSource &images,
                               int64_t imageSize, int threads, bool skipBad,
                               int64_t &dim) {
  const EncoderShape shape = encoderShape(encodeImage);
  dim = shape.dim;
  data::LoaderConfig config;
  config.batchSize = shape.batch;
  config.preprocess.size = imageSize;
  config.contextLength = 1;
  config.threads = threads;
  config.shuffle = false;
  config.dropLast = false;
  config.skipBad = skipBad;
  data::Loader loader(images, config, {});
  const int64_t total = static_cast<int64_t>(images.size());
  std::vector<float> out(total * dim);
  auto *input = static_cast<float *>(encodeImage.input(0));
  for (int64_t done = 0; done < total;) {
    data::Batch batch = loader.next();
    std::fill(input, input + shape.batch * shape.width, 0.0f);
    std::copy(batch.images.begin(), batch.images.end(), input);
    encodeImage.run();
    const auto *emb = static_cast<const float *>(encodeImage.output(0));
    for (int64_t r = 0; r < batch.size; ++r)
      std::copy(emb + r * dim, emb + (r + 1) * dim,
                out.begin() + batch.indices[r] * dim);
    done += batch.size;
  }
  normalizeRows(out.data(), total, dim);
  return out;
}

double Retrieval::mean() const {
  double sum = 0;
  for (int k = 0; k < 3; ++k)
    sum += imageToText[k] + textToImage[k];
  return sum / 6;
}

Retrieval retrieval(const std::vector<float> &images, int64_t imageCount,
                    const std::vector<float> &texts,
                    const std::vector<int64_t> &owner, int64_t dim) {
  const int64_t textCount = static_cast<int64_t>(owner.size());
  auto dot = [&](int64_t image, int64_t text) {
    float s = 0;
    for (int64_t d = 0; d < dim; ++d)
      s += images[image * dim + d] * texts[text * dim + d];
    return s;
  };
  // Rank = how many candidates score strictly above the best true one.
  std::vector<int64_t> imageRank(imageCount), textRank(textCount);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < imageCount; ++i) {
    std::vector<float> scores(textCount);
    float best = -INFINITY;
    for (int64_t t = 0; t < textCount; ++t) {
      scores[t] = dot(i, t);
      if (owner[t] == i)
        best = std::max(best, scores[t]);
    }
    imageRank[i] = std::count_if(scores.begin(), scores.end(),
                                 [&](float s) { return s > best; });
  }
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < textCount; ++t) {
    const float truth = dot(owner[t], t);
    int64_t above = 0;
    for (int64_t i = 0; i < imageCount; ++i)
      above += i != owner[t] && dot(i, t) > truth;
    textRank[t] = above;
  }
  Retrieval result{};
  const int64_t ks[3] = {1, 5, 10};
  for (int k = 0; k < 3; ++k) {
    result.imageToText[k] =
        double(std::count_if(imageRank.begin(), imageRank.end(),
                             [&](int64_t r) { return r < ks[k]; })) /
        std::max<int64_t>(imageCount, 1);
    result.textToImage[k] =
        double(std::count_if(textRank.begin(), textRank.end(),
                             [&](int64_t r) { return r < ks[k]; })) /
        std::max<int64_t>(textCount, 1);
  }
  return result;
}

/// OpenAI's 80 ImageNet prompt templates (CLIP's notebook; OpenCLIP's
/// OPENAI_IMAGENET_TEMPLATES), "{}" standing for the class name.
static const std::vector<std::string> &imagenetTemplates() {
  static const std::vector<std::string> templates = {
      "a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.",
      "a photo of the hard to see {}.", "a low resolution photo of the {}.",
      "a rendering of a {}.", "graffiti of a {}.", "a bad photo of the {}.",
      "a cropped photo of the {}.", "a tattoo of a {}.", "the embroidered {}.",
      "a photo of a hard to see {}.", "a bright photo of a {}.",
      "a photo of a clean {}.", "a photo of a dirty {}.",
      "a dark photo of the {}.", "a drawing of a {}.", "a photo of my {}.",
      "the plastic {}.", "a photo of the cool {}.",
      "a close-up photo of a {}.", "a black and white photo of the {}.",
      "a painting of the {}.", "a painting of a {}.",
      "a pixelated photo of the {}.", "a sculpture of the {}.",
      "a bright photo of the {}.", "a cropped photo of a {}.",
      "a plastic {}.", "a photo of the dirty {}.",
      "a jpeg corrupted photo of a {}.", "a blurry photo of the {}.",
      "a photo of the {}.", "a good photo of the {}.",
      "a rendering of the {}.", "a {} in a video game.",
      "a photo of one {}.", "a doodle of a {}.",
      "a close-up photo of the {}.", "a photo of a {}.", "the origami {}.",
      "the {} in a video game.", "a sketch of a {}.", "a doodle of the {}.",
      "a origami {}.", "a low resolution photo of a {}.", "the toy {}.",
      "a rendition of the {}.", "a photo of the clean {}.",
      "a photo of a large {}.", "a rendition of a {}.",
      "a photo of a nice {}.", "a photo of a weird {}.",
      "a blurry photo of a {}.", "a cartoon {}.", "art of a {}.",
      "a sketch of the {}.", "a embroidered {}.",
      "a pixelated photo of a {}.", "itap of the {}.",
      "a jpeg corrupted photo of the {}.", "a good photo of a {}.",
      "a plushie {}.", "a photo of the nice {}.", "a photo of the small {}.",
      "a photo of the weird {}.", "the cartoon {}.", "art of the {}.",
      "a drawing of the {}.", "a photo of the large {}.",
      "a black and white photo of a {}.", "the plushie {}.",
      "a dark photo of a {}.", "itap of a {}.", "graffiti of the {}.",
      "a toy {}.", "itap of my {}.", "a photo of a cool {}.",
      "a photo of a small {}.", "a tattoo of the {}.",
  };
  return templates;
}

std::vector<std::string> promptTemplates(const std::string &spec) {
  if (spec == "simple")
    return {"a photo of a {}."};
  if (spec == "imagenet")
    return imagenetTemplates();
  std::ifstream in(spec);
  if (!in)
    throw RuntimeError(fmt::format(
        "--templates: `{}` is neither simple, imagenet nor a readable file",
        spec));
  std::vector<std::string> templates;
  int line = 0;
  for (std::string text; std::getline(in, text);) {
    ++line;
    text = trimmed(text);
    if (text.empty())
      continue;
    if (text.find("{}") == std::string::npos)
      throw RuntimeError(fmt::format(
          "{}:{}: a template needs `{{}}` where the label goes: `{}`", spec,
          line, text));
    templates.push_back(text);
  }
  if (templates.empty())
    throw RuntimeError(fmt::format("{}: no templates", spec));
  return templates;
}

std::vector<std::vector<std::string>>
classPrompts(const std::vector<std::string> &labels,
           const std::vector<std::string> &templates) {
  std::vector<std::vector<std::string>> prompts;
  for (const std::string &label : labels) {
    prompts.emplace_back();
    for (const std::string &t : templates) {
      std::string p = t;
      for (size_t at; (at = p.find("{}")) != std::string::npos;)
        p.replace(at, 2, label);
      prompts.back().push_back(p);
    }
  }
  return prompts;
}

std::vector<float>
classEmbeddings(runtime::Executor &encodeText, const text::Tokenizer &tokenizer,
                const std::vector<std::vector<std::string>> &prompts,
                int64_t &dim) {
  const int64_t classes = static_cast<int64_t>(prompts.size());
  std::vector<std::string> texts;
  std::vector<int64_t> classOf;
  for (int64_t c = 0; c < classes; ++c)
    for (const std::string &prompt : prompts[c]) {
      texts.push_back(prompt);
      classOf.push_back(c);
    }
  const std::vector<float> promptEmb =
      embedTexts(encodeText, tokenizer, texts, dim);
  std::vector<float> classEmb(classes * dim, 0.0f);
  for (size_t t = 0; t < texts.size(); ++t)
    for (int64_t d = 0; d < dim; ++d)
      classEmb[classOf[t] * dim + d] += promptEmb[t * dim + d];
  normalizeRows(classEmb.data(), classes, dim);
  return classEmb;
}

namespace {

/// The loss of one batch of normalized embeddings (rows [first, first + n)
/// of `images`, and the texts `captionOf` those rows), in double.
double batchLoss(const std::vector<float> &images,
                 const std::vector<float> &texts,
                 const std::vector<int64_t> &captionOf, int64_t first,
                 int64_t n, int64_t dim, double scale, const double *bias) {
  std::vector<double> logits(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t d = 0; d < dim; ++d)
        s += double(images[(first + i) * dim + d]) *
             texts[captionOf[first + j] * dim + d];
      logits[i * n + j] = scale * s + (bias ? *bias : 0.0);
    }
  if (bias) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const double z = (i == j ? 1.0 : -1.0) * logits[i * n + j];
        sum += z >= 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z));
      }
    return sum / n;
  }
  // Cross-entropy of each row and each column against the diagonal.
  double rows = 0, cols = 0;
  for (int64_t i = 0; i < n; ++i) {
    double rowMax = -INFINITY, colMax = -INFINITY;
    for (int64_t j = 0; j < n; ++j) {
      rowMax = std::max(rowMax, logits[i * n + j]);
      colMax = std::max(colMax, logits[j * n + i]);
    }
    double rowSum = 0, colSum = 0;
    for (int64_t j = 0; j < n; ++j) {
      rowSum += std::exp(logits[i * n + j] - rowMax);
      colSum += std::exp(logits[j * n + i] - colMax);
    }
    rows += rowMax + std::log(rowSum) - logits[i * n + i];
    cols += colMax + std::log(colSum) - logits[i * n + i];
  }
  return (rows + cols) / (2.0 * n);
}

} // namespace

Validation validate(const Encoders &encoders, const text::Tokenizer &tokenizer,
                    const data::SampleSource &source, int64_t batch,
                    double logitScale, const double *logitBias, int threads,
                    bool skipBad) {
  Validation v;
  v.images = static_cast<int64_t>(source.size());
  std::vector<std::string> captions;
  std::vector<int64_t> owner, firstCaption;
  for (int64_t i = 0; i < v.images; ++i) {
    firstCaption.push_back(static_cast<int64_t>(captions.size()));
    for (std::string &c : source.captionsOf(i)) {
      captions.push_back(std::move(c));
      owner.push_back(i);
    }
  }
  v.captions = static_cast<int64_t>(captions.size());
  int64_t dim = 0;
  const int64_t imageSize =
      encoders.image.function().inputs[0].shape[2];
  const std::vector<float> images =
      embedImages(encoders.image, source, imageSize, threads, skipBad, dim);
  const std::vector<float> texts =
      embedTexts(encoders.text, tokenizer, captions, dim);
  const int64_t n = std::min(batch, v.images);
  double sum = 0;
  for (int64_t first = 0; n > 0 && first + n <= v.images; first += n) {
    sum += batchLoss(images, texts, firstCaption, first, n, dim, logitScale,
                     logitBias);
    ++v.batches;
  }
  v.loss = v.batches ? sum / v.batches : NAN;
  v.retrieval = retrieval(images, v.images, texts, owner, dim);
  return v;
}

ZeroShotResult zeroShot(const Encoders &encoders,
                        const text::Tokenizer &tokenizer,
                        const std::vector<std::vector<std::string>> &prompts,
                        const data::SampleSource &images,
                        const std::vector<int64_t> &labels, int64_t imageSize,
                        int threads) {
  const int64_t classes = static_cast<int64_t>(prompts.size());
  int64_t dim = 0;
  const std::vector<float> classEmb =
      classEmbeddings(encoders.text, tokenizer, prompts, dim);

  int64_t imageDim = 0;
  const std::vector<float> emb =
      embedImages(encoders.image, images, imageSize, threads, false, imageDim);
  if (imageDim != dim)
    throw RuntimeError(
        fmt::format("image embeddings have {} dims, text {}", imageDim, dim));
  ZeroShotResult result;
  result.count = static_cast<int64_t>(images.size());
  result.perClassCorrect.assign(classes, 0);
  result.perClassCount.assign(classes, 0);
  int64_t top1 = 0, top5 = 0;
  for (int64_t r = 0; r < result.count; ++r) {
    std::vector<std::pair<float, int64_t>> scores;
    for (int64_t c = 0; c < classes; ++c) {
      float s = 0;
      for (int64_t d = 0; d < dim; ++d)
        s += emb[r * dim + d] * classEmb[c * dim + d];
      scores.emplace_back(-s, c);
    }
    std::sort(scores.begin(), scores.end());
    const int64_t label = labels.at(r);
    ++result.perClassCount.at(label);
    if (scores[0].second == label) {
      ++top1;
      ++result.perClassCorrect[label];
    }
    for (int64_t k = 0; k < std::min<int64_t>(5, classes); ++k)
      top5 += scores[k].second == label;
  }
  result.top1 = double(top1) / std::max<int64_t>(result.count, 1);
  result.top5 = double(top5) / std::max<int64_t>(result.count, 1);
  return result;
}

/// Zero-shot accuracy on Fashion-MNIST's test split with every caption
/// template, using the parameters of `trained`.
ZeroShotResult fashionMnistZeroShot(const runtime::Library &library,
                                    runtime::Executor &trained,
                                    const text::Tokenizer &tokenizer,
                                    const Flags &flags, int64_t imageSize) {
  std::unique_ptr<runtime::Executor> textEncoder =
      makeExecutor(library, "encode_text", flags.str("device"));
  std::unique_ptr<runtime::Executor> imageEncoder =
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

void printZeroShot(const ZeroShotResult &result, const std::string &what,
                   const std::vector<std::string> &classNames,
                   size_t templates) {
  fmt::print("zero-shot {} ({} images, {} classes, {} template{}): top-1 "
             "{:.2f}%  top-5 {:.2f}%\n",
             what, result.count, classNames.size(), templates,
             templates == 1 ? "" : "s",
             100 * result.top1, 100 * result.top5);
  std::string perClass;
  for (size_t c = 0; c < classNames.size(); ++c)
    perClass += fmt::format("{}{} {:.0f}%", c ? ", " : "", classNames[c],
                            100.0 * result.perClassCorrect[c] /
                                std::max<int64_t>(result.perClassCount[c], 1));
  fmt::print("  per class: {}\n", perClass);
}

} // namespace clip::run
