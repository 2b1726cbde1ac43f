//===- ModelConfig.cpp - OpenCLIP-style model configs ---------------------===//
#include "ModelConfig.h"

#include "llvm/Support/JSON.h"

#include <fmt/format.h>

#include <stdexcept>

namespace clip::modelgen {

namespace {

[[noreturn]] void fail(const std::string &name, const std::string &what) {
  throw std::runtime_error(fmt::format("{}: {}", name, what));
}

const llvm::json::Object &object(const llvm::json::Object &parent,
                                 const char *key, const std::string &name) {
  const llvm::json::Object *o = parent.getObject(key);
  if (!o)
    fail(name, fmt::format("missing object \"{}\"", key));
  return *o;
}

int64_t integer(const llvm::json::Object &o, const char *key, int64_t fallback,
                const std::string &where) {
  const llvm::json::Value *v = o.get(key);
  if (!v || v->kind() == llvm::json::Value::Null)
    return fallback;
  std::optional<int64_t> i = v->getAsInteger();
  if (!i || *i <= 0)
    fail(where, fmt::format("\"{}\" must be a positive integer", key));
  return *i;
}

double number(const llvm::json::Object &o, const char *key, double fallback,
              const std::string &where) {
  const llvm::json::Value *v = o.get(key);
  if (!v)
    return fallback;
  std::optional<double> d = v->getAsNumber();
  if (!d || *d <= 0)
    fail(where, fmt::format("\"{}\" must be a positive number", key));
  return *d;
}

} // namespace

ModelConfig parseModelConfig(const std::string &json, const std::string &name,
                             int64_t imageSize) {
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed)
    fail(name, "invalid JSON: " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root)
    fail(name, "the config is not a JSON object");

  ModelConfig config;
  config.name = name;
  config.embedDim = integer(*root, "embed_dim", 0, name);
  if (!config.embedDim)
    fail(name, "missing \"embed_dim\"");
  if (std::optional<bool> q = root->getBoolean("quick_gelu"))
    config.quickGelu = *q;

  const std::string visionWhere = name + ": vision_cfg";
  const llvm::json::Object &vision = object(*root, "vision_cfg", name);
  VisionConfig &v = config.vision;
  v.imageSize = imageSize > 0 ? imageSize
                              : integer(vision, "image_size", 224, visionWhere);
  v.width = integer(vision, "width", 768, visionWhere);
  v.headWidth = integer(vision, "head_width", 64, visionWhere);
  v.mlpRatio = number(vision, "mlp_ratio", 4.0, visionWhere);
  if (const llvm::json::Array *layers = vision.getArray("layers")) {
    for (const llvm::json::Value &l : *layers) {
      std::optional<int64_t> n = l.getAsInteger();
      if (!n || *n <= 0)
        fail(visionWhere, "\"layers\" must hold positive integers");
      v.resnetLayers.push_back(*n);
    }
    if (v.resnetLayers.size() != 4)
      fail(visionWhere, "a ResNet needs 4 stages in \"layers\"");
    if (v.imageSize % 32)
      fail(visionWhere, "a ResNet's image_size must be a multiple of 32");
  } else {
    v.layers = integer(vision, "layers", 12, visionWhere);
    v.patchSize = integer(vision, "patch_size", 0, visionWhere);
    if (!v.patchSize)
      fail(visionWhere, "missing \"patch_size\"");
    if (v.imageSize % v.patchSize)
      fail(visionWhere, "image_size must be a multiple of patch_size");
  }
  if (v.width % v.headWidth)
    fail(visionWhere, "width must be a multiple of head_width");

  const std::string textWhere = name + ": text_cfg";
  const llvm::json::Object &text = object(*root, "text_cfg", name);
  TextConfig &t = config.text;
  t.contextLength = integer(text, "context_length", 77, textWhere);
  t.vocabSize = integer(text, "vocab_size", 49408, textWhere);
  t.width = integer(text, "width", 512, textWhere);
  t.heads = integer(text, "heads", 8, textWhere);
  t.layers = integer(text, "layers", 12, textWhere);
  t.mlpRatio = number(text, "mlp_ratio", 4.0, textWhere);
  if (t.width % t.heads)
    fail(textWhere, "width must be a multiple of heads");
  return config;
}

} // namespace clip::modelgen
