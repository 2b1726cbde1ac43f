//===- ModelConfig.cpp - OpenCLIP-style model configs ---------------------===//
#include "ModelConfig.h"

#include "llvm/Support/JSON.h"

#include <fmt/format.h>

#include <cmath>
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

/// A tower's "hidden_act": QuickGELU or erf GELU (what the towers of a
/// CLIPModel use); true for QuickGELU.
bool quickGelu(const llvm::json::Object &o, const std::string &where) {
  const llvm::json::Value *v = o.get("hidden_act");
  if (!v)
    return true; // CLIPTextConfig's and CLIPVisionConfig's default
  std::optional<llvm::StringRef> act = v->getAsString();
  if (act && *act == "quick_gelu")
    return true;
  if (act && *act == "gelu")
    return false;
  fail(where, "\"hidden_act\" must be \"quick_gelu\" or \"gelu\" (the "
              "activations of CLIP's towers)");
}

/// The tower's LayerNorm epsilon must be the 1e-5 the model files use.
void checkEpsilon(const llvm::json::Object &o, const std::string &where) {
  const double eps = number(o, "layer_norm_eps", 1e-5, where);
  if (std::abs(eps - 1e-5) > 1e-12)
    fail(where, fmt::format("\"layer_norm_eps\" is {}; the generated "
                            "models use 1e-5 (as CLIP does)",
                            eps));
}

/// transformers' CLIPConfig: {"projection_dim", "text_config": {...},
/// "vision_config": {...}}, with CLIPTextConfig's / CLIPVisionConfig's
/// defaults for what is absent.
ModelConfig parseHuggingFaceConfig(const llvm::json::Object &root,
                                   const std::string &name,
                                   int64_t imageSize) {
  static const llvm::json::Object empty;
  ModelConfig config;
  config.name = name;
  config.embedDim = integer(root, "projection_dim", 512, name);

  const std::string visionWhere = name + ": vision_config";
  const llvm::json::Object *vp = root.getObject("vision_config");
  const llvm::json::Object &vision = vp ? *vp : empty;
  VisionConfig &v = config.vision;
  v.imageSize = imageSize > 0 ? imageSize
                              : integer(vision, "image_size", 224, visionWhere);
  v.patchSize = integer(vision, "patch_size", 32, visionWhere);
  v.width = integer(vision, "hidden_size", 768, visionWhere);
  v.layers = integer(vision, "num_hidden_layers", 12, visionWhere);
  v.mlpWidth = integer(vision, "intermediate_size", 3072, visionWhere);
  const int64_t visionHeads =
      integer(vision, "num_attention_heads", 12, visionWhere);
  if (v.width % visionHeads)
    fail(visionWhere, "hidden_size must be a multiple of num_attention_heads");
  v.headWidth = v.width / visionHeads;
  if (integer(vision, "num_channels", 3, visionWhere) != 3)
    fail(visionWhere, "\"num_channels\" must be 3 (RGB images)");
  if (v.imageSize % v.patchSize)
    fail(visionWhere, "image_size must be a multiple of patch_size");
  checkEpsilon(vision, visionWhere);

  const std::string textWhere = name + ": text_config";
  const llvm::json::Object *tp = root.getObject("text_config");
  const llvm::json::Object &text = tp ? *tp : empty;
  TextConfig &t = config.text;
  t.contextLength =
      integer(text, "max_position_embeddings", 77, textWhere);
  t.vocabSize = integer(text, "vocab_size", 49408, textWhere);
  t.width = integer(text, "hidden_size", 512, textWhere);
  t.heads = integer(text, "num_attention_heads", 8, textWhere);
  t.layers = integer(text, "num_hidden_layers", 12, textWhere);
  t.mlpWidth = integer(text, "intermediate_size", 2048, textWhere);
  if (t.width % t.heads)
    fail(textWhere, "hidden_size must be a multiple of num_attention_heads");
  checkEpsilon(text, textWhere);
  // CLIPTextTransformer pools at the first eos_token_id, or (eos_token_id
  // 2, older configs) at the argmax of the ids; the model files pool at the
  // argmax, which is the first EOS exactly when EOS is the largest id.
  const int64_t eos = integer(text, "eos_token_id", 49407, textWhere);
  if (eos != 2 && eos != t.vocabSize - 1)
    fail(textWhere, fmt::format("\"eos_token_id\" {} is not the largest id "
                                "({}): the model files pool at the argmax "
                                "of the ids",
                                eos, t.vocabSize - 1));

  const bool visionQuick = quickGelu(vision, visionWhere);
  if (quickGelu(text, textWhere) != visionQuick)
    fail(name, "the towers' \"hidden_act\" differ; the model files use one "
               "activation for both");
  config.quickGelu = visionQuick;
  return config;
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
  if (root->get("vision_config") || root->get("text_config"))
    return parseHuggingFaceConfig(*root, name, imageSize);
  // OpenCLIP's hub repositories: open_clip_config.json holds the model
  // config under "model_cfg" (beside "preprocess_cfg").
  if (const llvm::json::Object *inner = root->getObject("model_cfg"))
    root = inner;

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
  if (const llvm::json::Value *p = vision.get("patch_dropout")) {
    std::optional<double> d = p->getAsNumber();
    if (!d || *d < 0 || *d >= 1)
      fail(visionWhere, "\"patch_dropout\" must be a fraction in [0, 1)");
    v.patchDropout = *d;
  }
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
