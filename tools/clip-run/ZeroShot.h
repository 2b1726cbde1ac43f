//===- ZeroShot.h - Zero-shot classification with a compiled model --------===//
//
// CLIP's zero-shot protocol: each class's text embedding is the normalized
// mean of the normalized embeddings of its name in every template; an
// image's class is the nearest one by cosine similarity. Runs the model's
// @encode_text and @encode_image at its compiled batch (a short last batch
// is padded and the padding ignored).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_TOOLS_CLIP_RUN_ZEROSHOT_H
#define CLIP_TOOLS_CLIP_RUN_ZEROSHOT_H

#include "Flags.h"

#include "runtime/core/Executor.h"
#include "runtime/data/Sample.h"
#include "runtime/text/Tokenizer.h"

#include <string>
#include <vector>

namespace clip::run {

/// The model's encoders, with parameters copied from a training executor.
struct Encoders {
  runtime::Executor &text;
  runtime::Executor &image;
};

/// Copies every parameter `to` has from `from` (by name).
void copyParameters(runtime::Executor &from, runtime::Executor &to);

/// Normalized embeddings, one row per text / image, [count x dim].
std::vector<float> embedTexts(runtime::Executor &encodeText,
                              const text::Tokenizer &tokenizer,
                              const std::vector<std::string> &texts,
                              int64_t &dim);

/// Normalized embeddings of every image of `images`, in source order
/// ([size x dim]), through the model's @encode_image.
std::vector<float> embedImages(runtime::Executor &encodeImage,
                               const data::SampleSource &images,
                               int64_t imageSize, int threads, bool skipBad,
                               int64_t &dim);

/// Recall at 1, 5 and 10 both ways, as Flickr30k/COCO papers report it,
/// for normalized embeddings of `imageCount` images and of captions, caption
/// t describing image owner[t] (an image may have several): image->text
/// counts a hit when any of the image's captions is in the top K of all
/// captions; text->image ranks the caption's image among the images.
struct Retrieval {
  double imageToText[3], textToImage[3];
  /// The mean of the six recalls (a fraction), and their sum in percent
  /// ("RSUM", 0..600).
  double mean() const;
  double rsum() const { return 600 * mean(); }
};
Retrieval retrieval(const std::vector<float> &images, int64_t imageCount,
                    const std::vector<float> &texts,
                    const std::vector<int64_t> &owner, int64_t dim);

/// --templates: "simple" ("a photo of a {}."), "imagenet" (OpenAI's 80
/// ImageNet templates, OpenCLIP's OPENAI_IMAGENET_TEMPLATES) or a file of
/// templates, one a line, each with "{}" where the class name goes.
std::vector<std::string> promptTemplates(const std::string &spec);
/// The prompts of each class: every template with "{}" replaced.
std::vector<std::vector<std::string>>
classPrompts(const std::vector<std::string> &classNames,
             const std::vector<std::string> &templates);

/// Each class's embedding: the normalized mean of the normalized
/// embeddings of its prompts ([classes x dim]).
std::vector<float>
classEmbeddings(runtime::Executor &encodeText, const text::Tokenizer &tokenizer,
                const std::vector<std::vector<std::string>> &prompts,
                int64_t &dim);

/// A held-out split's loss and retrieval, with the model as it is (no
/// update): the loss of consecutive batches of `batch` pairs (each image's
/// first caption; one batch of all when the split is smaller), averaged;
/// retrieval over every caption (the protocol above).
struct Validation {
  double loss = 0;
  int64_t batches = 0, images = 0, captions = 0;
  Retrieval retrieval{};
};
/// `logitScale` is exp(logit_scale); `logitBias` is set for SigLIP's loss
/// (-sum log sigmoid(label * (scale * cos + bias)) / n), else CLIP's
/// (the two cross-entropies' mean).
Validation validate(const Encoders &encoders, const text::Tokenizer &tokenizer,
                    const data::SampleSource &source, int64_t batch,
                    double logitScale, const double *logitBias, int threads,
                    bool skipBad);

struct ZeroShotResult {
  int64_t count = 0;
  double top1 = 0, top5 = 0; // fractions
  std::vector<int64_t> perClassCorrect, perClassCount;
};

/// Classifies every sample of `images` (labels from `labels`) among the
/// classes, class c described by `prompts[c]` (its name in every template).
ZeroShotResult zeroShot(const Encoders &encoders,
                        const text::Tokenizer &tokenizer,
                        const std::vector<std::vector<std::string>> &prompts,
                        const data::SampleSource &images,
                        const std::vector<int64_t> &labels, int64_t imageSize,
                        int threads);

/// Zero-shot accuracy on Fashion-MNIST's test split with the training
/// captions' templates, using the parameters of `trained`.
ZeroShotResult fashionMnistZeroShot(const runtime::Library &library,
                                    runtime::Executor &trained,
                                    const text::Tokenizer &tokenizer,
                                    const Flags &flags, int64_t imageSize);
/// Prints top-1/top-5 and the per-class accuracy.
void printZeroShot(const ZeroShotResult &result, const std::string &what,
                   const std::vector<std::string> &classNames,
                   size_t templates);

} // namespace clip::run

#endif // CLIP_TOOLS_CLIP_RUN_ZEROSHOT_H
