//===- ClipModel.h - CLIP models as clip-dialect text -----------*- C++ -*-===//
#ifndef CLIP_TOOLS_MODELGEN_CLIPMODEL_H
#define CLIP_TOOLS_MODELGEN_CLIPMODEL_H

#include "ModelConfig.h"

#include <string>

namespace clip::modelgen {

/// The whole model, unfused, one function per block, parameters named with
/// OpenCLIP's state-dict keys. Public functions: @encode_image,
/// @encode_text, @forward (loss, logits_per_image, image and text features).
std::string generateClipModel(const ModelConfig &config,
                              const std::string &source);

/// Reads the config at `path` (OpenCLIP's or Hugging Face's) and generates
/// its model; a Hugging Face config.json is named after its folder (the hub
/// repository). Throws std::runtime_error naming the file.
/// A positive `imageSize` replaces the config's; a non-negative
/// `patchDropout` replaces vision patch_dropout.
std::string generateClipModelFile(const std::string &path,
                                  int64_t imageSize = 0,
                                  double patchDropout = -1);

} // namespace clip::modelgen

#endif // CLIP_TOOLS_MODELGEN_CLIPMODEL_H
