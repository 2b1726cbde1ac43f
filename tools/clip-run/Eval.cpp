//===- Eval.cpp - clip-run eval -------------------------------------------===//
//
// Zero-shot classification of a checkpoint on Fashion-MNIST's test split,
// or image-text retrieval (R@1/5/10) on CSV or WebDataset pairs.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Support.h"
#include "ZeroShot.h"

#include "runtime/data/Data.h"
#include "runtime/io/Pretrained.h"
#include "runtime/text/Tokenizer.h"
#include "runtime/train/Checkpoint.h"

#include "fmt/format.h"

#include <omp.h>

namespace clip::run {

using runtime::Executor;
using runtime::RuntimeError;

namespace {

/// Zero-shot top-1/top-5 on a folder of class folders.
int imageFolderZeroShot(const runtime::Library &library, const Flags &flags) {
  std::vector<std::string> classNames;
  std::vector<int64_t> labels;
  const ImageFiles images = ImageFiles::labelledFolder(
      flags.str("image-folder"), classNames, labels);
  const std::vector<std::string> templates =
      promptTemplates(flags.str("templates"));
  LoadedEncoders encoders = loadEncoders(library, flags);
  Executor &textEncoder = *encoders.text, &imageEncoder = *encoders.image;
  text::Tokenizer tokenizer(vocabularyPath(flags));
  const ZeroShotResult result = zeroShot(
      {textEncoder, imageEncoder}, tokenizer,
      classPrompts(classNames, templates), images, labels,
      imageEncoder.function().inputs[0].shape[2],
      static_cast<int>(flags.integer("workers", 1)));
  printZeroShot(result, flags.str("image-folder"), classNames,
                templates.size());
  return 0;
}

} // namespace

int evalCommand(const std::vector<std::string> &args) {
  Flags flags = commonFlags();
  flags.value("params", "",
              "parameters: safetensors (ours, OpenCLIP's or Hugging Face's), "
              "a sharded index, a torch.save .bin, or a folder of one")
      .value("image-folder", "",
             "zero-shot on a labelled folder: one sub-folder a class, its "
             "name the class name")
      .value("templates", "imagenet",
             "with --image-folder: simple, imagenet (OpenAI's 80) or a file "
             "of templates with {}");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run eval FILE.so --params CHECKPOINT [options]\n"
               "Zero-shot classification of Fashion-MNIST's test split or of\n"
               "--image-folder, or image-text retrieval (R@1/5/10) on --csv\n"
               "or --tar pairs.\n\n{}",
               flags.help());
    return 0;
  }
  if (positionals.size() != 1 || !flags.given("params"))
    throw RuntimeError("eval needs one clip.so file and --params (see --help)");
  if (const int64_t threads = flags.integer("threads"); threads > 0)
    omp_set_num_threads(static_cast<int>(threads));
  runtime::Library library(positionals[0]);
  if (flags.given("image-folder"))
    return imageFolderZeroShot(library, flags);
  if (flags.given("csv") || flags.given("tar")) {
    // Retrieval, the Flickr30k/COCO protocol: captions grouped by image.
    std::unique_ptr<data::SampleSource> pairs = openSource(flags, false);
    LoadedEncoders encoders = loadEncoders(library, flags);
    text::Tokenizer tokenizer(vocabularyPath(flags));
    // Every caption of every image (several per image on Flickr30k/COCO-
    // style data), each remembering its image.
    std::vector<std::string> captions;
    std::vector<int64_t> owner;
    for (size_t i = 0; i < pairs->size(); ++i)
      for (std::string &c : pairs->captionsOf(i)) {
        captions.push_back(std::move(c));
        owner.push_back(static_cast<int64_t>(i));
      }
    int64_t dim = 0;
    const std::vector<float> images = embedImages(
        *encoders.image, *pairs, encoders.image->function().inputs[0].shape[2],
        static_cast<int>(flags.integer("workers", 1)), flags.on("skip-bad"),
        dim);
    const std::vector<float> texts =
        embedTexts(*encoders.text, tokenizer, captions, dim);
    const Retrieval r = retrieval(
        images, static_cast<int64_t>(pairs->size()), texts, owner, dim);
    fmt::print("retrieval on {} images, {} captions: image->text R@1 {:.2f}% "
               "R@5 {:.2f}% R@10 {:.2f}%; text->image R@1 {:.2f}% R@5 "
               "{:.2f}% R@10 {:.2f}%; mean recall {:.2f}%, RSUM {:.2f}\n",
               pairs->size(), captions.size(), 100 * r.imageToText[0],
               100 * r.imageToText[1], 100 * r.imageToText[2],
               100 * r.textToImage[0], 100 * r.textToImage[1],
               100 * r.textToImage[2], 100 * r.mean(), r.rsum());
    return 0;
  }
  std::unique_ptr<Executor> holder =
      makeExecutor(library, "train_step", flags.str("device"));
  train::loadCheckpoint(flags.str("params"), *holder, nullptr);
  text::Tokenizer tokenizer(vocabularyPath(flags));
  const int32_t image = inputIndex(*holder, "image");
  ZeroShotResult result =
      fashionMnistZeroShot(library, *holder, tokenizer, flags,
                           holder->function().inputs[image].shape[2]);
  printZeroShot(result, "Fashion-MNIST test", data::fashionMnistClasses(),
                data::captionTemplates().size());
  return 0;
}

} // namespace clip::run
