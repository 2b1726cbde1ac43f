//===- ModelConfig.h - OpenCLIP-style model configs -------------*- C++ -*-===//
//
// The fields of OpenCLIP's model config JSON (open_clip/model_configs/*.json)
// that the architectures we generate use.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_TOOLS_MODELGEN_MODELCONFIG_H
#define CLIP_TOOLS_MODELGEN_MODELCONFIG_H

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace clip::modelgen {

struct VisionConfig {
  int64_t imageSize = 224;
  /// ViT: patch size, width, layers. ModifiedResNet: `resnetLayers` set,
  /// `width` is the stem width (64 for RN50).
  int64_t patchSize = 0;
  int64_t width = 768;
  int64_t layers = 12;
  std::vector<int64_t> resnetLayers;
  int64_t headWidth = 64;
  double mlpRatio = 4.0;
  /// The MLP's hidden width when a config gives it (Hugging Face's
  /// intermediate_size), else 0: int(width * mlpRatio), as OpenCLIP has it.
  int64_t mlpWidth = 0;
  /// OpenCLIP's patch_dropout: the fraction of patches dropped in training.
  double patchDropout = 0;
  bool isResNet() const { return !resnetLayers.empty(); }
  /// Patches kept in training, as OpenCLIP's PatchDropout: max(1,
  /// int(patches * (1 - patchDropout))); 0 without patch dropout.
  int64_t patchesKept() const {
    if (patchDropout <= 0 || isResNet())
      return 0;
    const int64_t patches = (imageSize / patchSize) * (imageSize / patchSize);
    return std::max<int64_t>(1, static_cast<int64_t>(patches * (1 - patchDropout)));
  }
  int64_t mlpHidden() const {
    return mlpWidth ? mlpWidth : static_cast<int64_t>(width * mlpRatio);
  }
};

struct TextConfig {
  int64_t contextLength = 77;
  int64_t vocabSize = 49408;
  int64_t width = 512;
  int64_t heads = 8;
  int64_t layers = 12;
  double mlpRatio = 4.0;
  int64_t mlpWidth = 0; // as VisionConfig's
  int64_t mlpHidden() const {
    return mlpWidth ? mlpWidth : static_cast<int64_t>(width * mlpRatio);
  }
};

struct ModelConfig {
  std::string name;
  int64_t embedDim = 512;
  bool quickGelu = false;
  VisionConfig vision;
  TextConfig text;
};

/// Parses OpenCLIP's config JSON (open_clip/model_configs/*.json) or a
/// Hugging Face CLIPModel config.json (it has "vision_config" and
/// "text_config"; absent fields take transformers' CLIPConfig defaults, as
/// save_pretrained omits them); throws std::runtime_error naming the field.
/// A positive `imageSize` replaces the image size before validation.
ModelConfig parseModelConfig(const std::string &json, const std::string &name,
                             int64_t imageSize = 0);

} // namespace clip::modelgen

#endif // CLIP_TOOLS_MODELGEN_MODELCONFIG_H
