//===- ClipModel.cpp - CLIP models as clip-dialect text -------------------===//
//
// Mirrors open_clip/transformer.py (VisionTransformer, TextTransformer,
// ResidualAttentionBlock), open_clip/modified_resnet.py (ModifiedResNet,
// Bottleneck, AttentionPool2d) and open_clip/loss.py (ClipLoss). Where the
// order of exact operations differs from OpenCLIP's code it is said below.
//
//===----------------------------------------------------------------------===//
#include "ClipModel.h"

#include "GraphWriter.h"

#include "runtime/abi/ClipLibrary.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>

#include <cmath>

namespace clip::modelgen {

namespace {

class Generator {
public:
  Generator(const ModelConfig &config, ModuleWriter &module)
      : config(config), module(module) {}

  void generate();

private:
  // Shared pieces.
  std::string layerNorm(const std::string &tower, const Shape &shape,
                        const std::string &suffix);
  std::string attention(const std::string &tower, int64_t tokens, int64_t width,
                        int64_t heads, bool causal);
  std::string mlp(const std::string &tower, int64_t tokens, int64_t width,
                  int64_t hidden);
  std::string transformer(const std::string &tower, const std::string &keys,
                          int64_t tokens, int64_t width, int64_t heads,
                          int64_t layers, int64_t hidden, bool causal);
  // Towers and loss.
  void visionTransformer();
  /// @encode_image (kept 0), or @encode_image_train keeping the class token
  /// and `kept` patches named by its `keep` argument.
  void visionTower(const std::string &name, int64_t kept);
  void modifiedResNet();
  void textTransformer();
  void l2Normalize();
  void contrastiveLoss();
  void forward();

  // ModifiedResNet pieces.
  std::string bottleneck(int stage, bool first, int64_t inplanes,
                         int64_t planes, int64_t stride, int64_t size);

  const ModelConfig &config;
  ModuleWriter &module;
};

std::string Generator::layerNorm(const std::string &tower, const Shape &shape,
                                 const std::string &suffix) {
  const std::string name = tower + "_layer_norm" + suffix;
  if (module.has(name))
    return name;
  const int64_t last = static_cast<int64_t>(shape.size()) - 1;
  FunctionWriter f(
      name, false,
      "nn.LayerNorm over the last dim (eps 1e-5):\n"
      "  (x - mean) * rsqrt(mean((x - mean)^2) + eps) * weight + bias");
  Value x = f.argument("x", shape);
  Value w = f.argument("weight", {shape[last]});
  Value b = f.argument("bias", {shape[last]});
  Value eps = f.scalar("eps", 1e-5);
  Value mean = f.reduce("reduce_mean", "mean", x, {last}, true);
  Value centered = f.binary("sub", "centered", x, mean);
  Value squared = f.binary("mul", "squared", centered, centered);
  Value var = f.reduce("reduce_mean", "var", squared, {last}, true);
  Value varEps = f.binary("add", "var_eps", var, eps);
  Value rstd = f.unary("rsqrt", "rstd", varEps);
  Value normed = f.binary("mul", "normed", centered, rstd);
  Value scaled = f.binary("mul", "scaled", normed, w);
  f.ret({f.binary("add", "out", scaled, b)});
  module.add(std::move(f));
  return name;
}

std::string Generator::attention(const std::string &tower, int64_t tokens,
                                 int64_t width, int64_t heads, bool causal) {
  const std::string name = tower + "_attention";
  if (module.has(name))
    return name;
  const int64_t headDim = width / heads;
  FunctionWriter f(
      name, false,
      fmt::format("nn.MultiheadAttention, {} heads of {}{}: packed QKV "
                  "projection,\nsoftmax(q k^T / sqrt({}){}) v per head, heads "
                  "merged, output projection.",
                  heads, headDim, causal ? ", causal" : "", headDim,
                  causal ? " + mask" : ""));
  Value x = f.argument("x", {kBatch, tokens, width});
  Value inW = f.argument("in_proj_weight", {3 * width, width});
  Value inB = f.argument("in_proj_bias", {3 * width});
  Value outW = f.argument("out_proj_weight", {width, width});
  Value outB = f.argument("out_proj_bias", {width});

  Value qkvMm = f.matmul("qkv_mm", x, inW, false, true);
  Value qkv = f.binary("add", "qkv", qkvMm, inB);
  f.blank();
  f.comment(fmt::format(
      "[B, {0}, {1}] -> [B, {0}, 3, {2}, {3}] -> [3, B, {2}, {0}, {3}]", tokens,
      3 * width, heads, headDim));
  Value split =
      f.reshape("qkv_split", qkv, {kBatch, tokens, 3, heads, headDim});
  Value perHead = f.transpose("qkv_heads", split, {2, 0, 3, 1, 4});
  Value q1 = f.slice("q_1", perHead, 0, 0, 1);
  Value k1 = f.slice("k_1", perHead, 0, 1, 2);
  Value v1 = f.slice("v_1", perHead, 0, 2, 3);
  Value q = f.reshape("q", q1, {kBatch, heads, tokens, headDim});
  Value k = f.reshape("k", k1, {kBatch, heads, tokens, headDim});
  Value v = f.reshape("v", v1, {kBatch, heads, tokens, headDim});
  f.blank();
  Value scale =
      f.scalar("scale", 1.0 / std::sqrt(static_cast<double>(headDim)));
  Value qScaled = f.binary("mul", "q_scaled", q, scale);
  Value scores = f.matmul("scores", qScaled, k, false, true);
  if (causal) {
    Value mask = f.causalMask("mask", {tokens, tokens});
    scores = f.binary("add", "masked", scores, mask);
  }
  Value probs = f.softmax("softmax", "probs", scores, 3);
  Value context = f.matmul("context", probs, v, false, false);
  f.blank();
  f.comment(
      fmt::format("[B, {0}, {1}, {2}] -> [B, {1}, {0}, {2}] -> [B, {1}, {3}]",
                  heads, tokens, headDim, width));
  Value contextT = f.transpose("context_t", context, {0, 2, 1, 3});
  Value merged = f.reshape("merged", contextT, {kBatch, tokens, width});
  Value outMm = f.matmul("out_mm", merged, outW, false, true);
  f.ret({f.binary("add", "out", outMm, outB)});
  module.add(std::move(f));
  return name;
}

std::string Generator::mlp(const std::string &tower, int64_t tokens,
                           int64_t width, int64_t hidden) {
  const std::string name = tower + "_mlp";
  if (module.has(name))
    return name;
  FunctionWriter f(name, false,
                   fmt::format("c_proj({}(c_fc(x))), hidden width {}.",
                               config.quickGelu ? "QuickGELU" : "GELU",
                               hidden));
  Value x = f.argument("x", {kBatch, tokens, width});
  Value fcW = f.argument("fc_weight", {hidden, width});
  Value fcB = f.argument("fc_bias", {hidden});
  Value projW = f.argument("proj_weight", {width, hidden});
  Value projB = f.argument("proj_bias", {width});
  Value fcMm = f.matmul("fc_mm", x, fcW, false, true);
  Value fc = f.binary("add", "fc", fcMm, fcB);
  Value act =
      f.unary("gelu", "act", fc, config.quickGelu ? "approximate quick" : "");
  Value projMm = f.matmul("proj_mm", act, projW, false, true);
  f.ret({f.binary("add", "out", projMm, projB)});
  module.add(std::move(f));
  return name;
}

std::string Generator::transformer(const std::string &tower,
                                   const std::string &keys, int64_t tokens,
                                   int64_t width, int64_t heads, int64_t layers,
                                   int64_t hidden, bool causal) {
  const Shape xShape = {kBatch, tokens, width};
  const std::string ln = layerNorm(tower, xShape, "");
  const std::string attn = attention(tower, tokens, width, heads, causal);
  const std::string mlpName = mlp(tower, tokens, width, hidden);

  // One residual block, its weights as arguments so all layers share it.
  const std::string blockName = tower + "_residual_block";
  {
    FunctionWriter f(blockName, false,
                     "Pre-LN residual attention block:\n"
                     "  x = x + attention(ln_1(x)); x = x + mlp(ln_2(x))");
    Value x = f.argument("x", xShape);
    Value ln1W = f.argument("ln_1_weight", {width});
    Value ln1B = f.argument("ln_1_bias", {width});
    Value inW = f.argument("in_proj_weight", {3 * width, width});
    Value inB = f.argument("in_proj_bias", {3 * width});
    Value outW = f.argument("out_proj_weight", {width, width});
    Value outB = f.argument("out_proj_bias", {width});
    Value ln2W = f.argument("ln_2_weight", {width});
    Value ln2B = f.argument("ln_2_bias", {width});
    Value fcW = f.argument("fc_weight", {hidden, width});
    Value fcB = f.argument("fc_bias", {hidden});
    Value projW = f.argument("proj_weight", {width, hidden});
    Value projB = f.argument("proj_bias", {width});
    Value h1 = f.call("h_1", ln, {x, ln1W, ln1B}, x);
    Value a = f.call("attn", attn, {h1, inW, inB, outW, outB}, x);
    Value x1 = f.binary("add", "x_1", x, a);
    Value h2 = f.call("h_2", ln, {x1, ln2W, ln2B}, x);
    Value m = f.call("mlp", mlpName, {h2, fcW, fcB, projW, projB}, x);
    f.ret({f.binary("add", "x_2", x1, m)});
    module.add(std::move(f));
  }

  const std::string name = tower + "_transformer";
  FunctionWriter f(
      name, false,
      fmt::format("{} residual blocks ({}resblocks.N).", layers, keys));
  Value x = f.argument("x", xShape);
  for (int64_t i = 0; i < layers; ++i) {
    const std::string p = fmt::format("{}resblocks.{}.", keys, i);
    const std::string n = fmt::format("b{}_", i);
    f.blank();
    std::vector<Value> args = {x};
    args.push_back(f.param(n + "ln_1_w", p + "ln_1.weight", {width}));
    args.push_back(f.param(n + "ln_1_b", p + "ln_1.bias", {width}));
    args.push_back(
        f.param(n + "in_w", p + "attn.in_proj_weight", {3 * width, width}));
    args.push_back(f.param(n + "in_b", p + "attn.in_proj_bias", {3 * width}));
    args.push_back(
        f.param(n + "out_w", p + "attn.out_proj.weight", {width, width}));
    args.push_back(f.param(n + "out_b", p + "attn.out_proj.bias", {width}));
    args.push_back(f.param(n + "ln_2_w", p + "ln_2.weight", {width}));
    args.push_back(f.param(n + "ln_2_b", p + "ln_2.bias", {width}));
    args.push_back(f.param(n + "fc_w", p + "mlp.c_fc.weight", {hidden, width}));
    args.push_back(f.param(n + "fc_b", p + "mlp.c_fc.bias", {hidden}));
    args.push_back(
        f.param(n + "proj_w", p + "mlp.c_proj.weight", {width, hidden}));
    args.push_back(f.param(n + "proj_b", p + "mlp.c_proj.bias", {width}));
    x = f.call(fmt::format("x_{}", i + 1), blockName, args, x);
  }
  f.ret({x});
  module.add(std::move(f));
  return name;
}

void Generator::visionTransformer() {
  visionTower("encode_image", 0);
  if (const int64_t kept = config.vision.patchesKept())
    visionTower("encode_image_train", kept);
}

void Generator::visionTower(const std::string &name, int64_t kept) {
  const VisionConfig &v = config.vision;
  const int64_t grid = v.imageSize / v.patchSize, tokens = grid * grid + 1;
  // With patch dropout the blocks see the class token and `kept` patches;
  // their functions get their own names (their shapes differ).
  const std::string tower = kept ? "visual_kept" : "visual";
  const int64_t seqLen = kept ? kept + 1 : tokens;
  const int64_t width = v.width, heads = width / v.headWidth;
  const int64_t hidden = v.mlpHidden();
  const std::string lnPooled = layerNorm(tower, {kBatch, width}, "_pooled");
  const std::string lnTokens = layerNorm(tower, {kBatch, seqLen, width}, "");
  const std::string blocks =
      transformer(tower, "visual.transformer.", seqLen, width, heads,
                  v.layers, hidden, false);

  FunctionWriter f(
      name, true,
      fmt::format("VisionTransformer: {0}x{0} patches of {1}x{1}, "
                  "class token, {2} blocks of width {3}; the class "
                  "token is pooled\nbefore ln_post (LayerNorm is "
                  "per token, so this equals OpenCLIP's order).{4}",
                  grid, v.patchSize, v.layers, width,
                  kept ? fmt::format("\nPatch dropout (training only, "
                                     "OpenCLIP's PatchDropout): after the "
                                     "positional embedding, the\nclass token "
                                     "and the {} patches `keep` names go on "
                                     "(of {}).",
                                     kept, grid * grid)
                       : ""));
  Value image = f.argument("image", {kBatch, 3, v.imageSize, v.imageSize});
  Value keep;
  if (kept)
    keep = f.argument("keep", {kBatch, kept}, "i64");
  Value convW = f.param("conv1_w", "visual.conv1.weight",
                        {width, 3, v.patchSize, v.patchSize});
  Value cls = f.param("class_embedding", "visual.class_embedding", {width});
  Value pos = f.param("positional_embedding", "visual.positional_embedding",
                      {tokens, width});
  Value lnPreW = f.param("ln_pre_w", "visual.ln_pre.weight", {width});
  Value lnPreB = f.param("ln_pre_b", "visual.ln_pre.bias", {width});
  Value lnPostW = f.param("ln_post_w", "visual.ln_post.weight", {width});
  Value lnPostB = f.param("ln_post_b", "visual.ln_post.bias", {width});
  Value proj = f.param("proj", "visual.proj", {width, config.embedDim});
  f.blank();
  Value patches = f.conv2d("patches", image, convW, v.patchSize, 0);
  Value flat = f.reshape("patches_flat", patches, {kBatch, width, grid * grid});
  Value patchTokens = f.transpose("patch_tokens", flat, {0, 2, 1});
  Value clsRow = f.reshape("class_row", cls, {1, 1, width});
  Value clsTokens = f.broadcast("class_tokens", clsRow, {kBatch, 1, width});
  Value seq = f.concat("tokens", {clsTokens, patchTokens}, 1);
  Value x = f.binary("add", "embedded", seq, pos);
  if (kept) {
    Value clsKept = f.slice("class_kept", x, 1, 0, 1);
    Value all = f.slice("patches_embedded", x, 1, 1, tokens);
    Value chosen = f.gather("patches_kept", all, keep, 1, 1);
    x = f.concat("kept", {clsKept, chosen}, 1);
  }
  x = f.call("x_pre", lnTokens, {x, lnPreW, lnPreB}, x);
  x = f.call("x_out", blocks, {x}, x);
  f.blank();
  Value clsOut = f.slice("class_out", x, 1, 0, 1);
  Value pooled = f.reshape("pooled", clsOut, {kBatch, width});
  Value normed =
      f.call("pooled_ln", lnPooled, {pooled, lnPostW, lnPostB}, pooled);
  f.ret({f.matmul("features", normed, proj, false, false)});
  module.add(std::move(f));
}

std::string Generator::bottleneck(int stage, bool first, int64_t inplanes,
                                  int64_t planes, int64_t stride,
                                  int64_t size) {
  const std::string name =
      fmt::format("visual_layer{}_{}", stage, first ? "first_block" : "block");
  const int64_t out = planes * 4;
  const bool downsample = first && (stride > 1 || inplanes != out);
  FunctionWriter f(
      name, false,
      fmt::format("Bottleneck {} -> {} -> {}{}: 1x1, 3x3, {}1x1 convs with "
                  "BatchNorm and ReLU{}.",
                  inplanes, planes, out,
                  stride > 1 ? fmt::format(", stride {}", stride) : "",
                  stride > 1 ? fmt::format("avg-pool {}, ", stride) : "",
                  downsample ? "; the shortcut is avg-pool, 1x1 conv, BatchNorm"
                             : ""));
  Value x = f.argument("x", {kBatch, inplanes, size, size});
  auto bnArgs = [&](const std::string &p, int64_t c) {
    return std::vector<Value>{
        f.argument(p + "_weight", {c}), f.argument(p + "_bias", {c}),
        f.argument(p + "_mean", {c}), f.argument(p + "_var", {c})};
  };
  Value w1 = f.argument("conv1_weight", {planes, inplanes, 1, 1});
  std::vector<Value> bn1 = bnArgs("bn1", planes);
  Value w2 = f.argument("conv2_weight", {planes, planes, 3, 3});
  std::vector<Value> bn2 = bnArgs("bn2", planes);
  Value w3 = f.argument("conv3_weight", {out, planes, 1, 1});
  std::vector<Value> bn3 = bnArgs("bn3", out);
  Value wd;
  std::vector<Value> bnd;
  if (downsample) {
    wd = f.argument("downsample_weight", {out, inplanes, 1, 1});
    bnd = bnArgs("downsample_bn", out);
  }
  Value zero = f.scalar("zero", 0.0);
  auto bn = [&](const std::string &n, const Value &in,
                const std::vector<Value> &p) {
    return f.batchNorm(n, in, p[0], p[1], p[2], p[3]);
  };
  Value h = f.conv2d("c1", x, w1, 1, 0);
  h = f.binary("max", "r1", bn("n1", h, bn1), zero);
  h = f.conv2d("c2", h, w2, 1, 1);
  h = f.binary("max", "r2", bn("n2", h, bn2), zero);
  if (stride > 1)
    h = f.avgPool2d("pooled", h, stride);
  h = bn("n3", f.conv2d("c3", h, w3, 1, 0), bn3);
  Value shortcut = x;
  if (downsample) {
    if (stride > 1)
      shortcut = f.avgPool2d("shortcut_pooled", shortcut, stride);
    shortcut =
        bn("shortcut", f.conv2d("shortcut_conv", shortcut, wd, 1, 0), bnd);
  }
  Value sum = f.binary("add", "sum", h, shortcut);
  f.ret({f.binary("max", "out", sum, zero)});
  module.add(std::move(f));
  return name;
}

void Generator::modifiedResNet() {
  const VisionConfig &v = config.vision;
  const int64_t width = v.width, embed = width * 32;
  const int64_t heads = embed / v.headWidth, headDim = embed / heads;
  int64_t size = v.imageSize / 4; // after the stem's stride 2 and avg-pool 2

  // Stem and stages, each with its parameters declared where it is used.
  FunctionWriter stem("visual_stem", false,
                      "Three 3x3 convs (the first with stride 2), each with "
                      "BatchNorm and ReLU, then avg-pool 2.");
  {
    Value x = stem.argument("image", {kBatch, 3, v.imageSize, v.imageSize});
    Value zero = stem.scalar("zero", 0.0);
    const int64_t channels[4] = {3, width / 2, width / 2, width};
    for (int i = 1; i <= 3; ++i) {
      const std::string p = fmt::format("visual.conv{}.", i);
      const std::string b = fmt::format("visual.bn{}.", i);
      const int64_t c = channels[i];
      Value w = stem.param(fmt::format("conv{}_w", i), p + "weight",
                           {c, channels[i - 1], 3, 3});
      Value g = stem.param(fmt::format("bn{}_w", i), b + "weight", {c});
      Value beta = stem.param(fmt::format("bn{}_b", i), b + "bias", {c});
      Value m = stem.param(fmt::format("bn{}_mean", i), b + "running_mean", {c},
                           true);
      Value var =
          stem.param(fmt::format("bn{}_var", i), b + "running_var", {c}, true);
      x = stem.conv2d(fmt::format("c{}", i), x, w, i == 1 ? 2 : 1, 1);
      x = stem.batchNorm(fmt::format("n{}", i), x, g, beta, m, var);
      x = stem.binary("max", fmt::format("r{}", i), x, zero);
    }
    stem.ret({stem.avgPool2d("out", x, 2)});
  }
  module.add(std::move(stem));

  std::vector<std::string> stageNames;
  int64_t inplanes = width;
  for (int stage = 1; stage <= 4; ++stage) {
    const int64_t planes = width << (stage - 1), stride = stage == 1 ? 1 : 2;
    const int64_t blocks = v.resnetLayers[stage - 1];
    const std::string firstName =
        bottleneck(stage, true, inplanes, planes, stride, size);
    const int64_t outSize = size / stride;
    std::string restName;
    if (blocks > 1)
      restName = bottleneck(stage, false, planes * 4, planes, 1, outSize);

    const std::string name = fmt::format("visual_layer{}", stage);
    FunctionWriter f(name, false,
                     fmt::format("Stage {}: {} bottlenecks (visual.layer{}.N).",
                                 stage, blocks, stage));
    Value x = f.argument("x", {kBatch, inplanes, size, size});
    for (int64_t i = 0; i < blocks; ++i) {
      const std::string p = fmt::format("visual.layer{}.{}.", stage, i);
      const std::string n = fmt::format("b{}_", i);
      const int64_t in = i == 0 ? inplanes : planes * 4;
      f.blank();
      std::vector<Value> args = {x};
      auto bn = [&](const std::string &key, const std::string &local,
                    int64_t c) {
        args.push_back(f.param(n + local + "_w", p + key + ".weight", {c}));
        args.push_back(f.param(n + local + "_b", p + key + ".bias", {c}));
        args.push_back(
            f.param(n + local + "_mean", p + key + ".running_mean", {c}, true));
        args.push_back(
            f.param(n + local + "_var", p + key + ".running_var", {c}, true));
      };
      args.push_back(
          f.param(n + "conv1_w", p + "conv1.weight", {planes, in, 1, 1}));
      bn("bn1", "bn1", planes);
      args.push_back(
          f.param(n + "conv2_w", p + "conv2.weight", {planes, planes, 3, 3}));
      bn("bn2", "bn2", planes);
      args.push_back(f.param(n + "conv3_w", p + "conv3.weight",
                             {planes * 4, planes, 1, 1}));
      bn("bn3", "bn3", planes * 4);
      if (i == 0 && (stride > 1 || inplanes != planes * 4)) {
        args.push_back(f.param(n + "down_w", p + "downsample.0.weight",
                               {planes * 4, in, 1, 1}));
        bn("downsample.1", "down_bn", planes * 4);
      }
      x = f.call(fmt::format("x_{}", i + 1), i == 0 ? firstName : restName,
                 args,
                 Value{"", {kBatch, planes * 4, outSize, outSize}, "f32"});
    }
    f.ret({x});
    module.add(std::move(f));
    stageNames.push_back(name);
    inplanes = planes * 4;
    size = outSize;
  }

  // AttentionPool2d: the mean token queries all tokens with positional
  // embeddings; separate q/k/v projections, c_proj as the output projection.
  const int64_t spatial = size * size, tokens = spatial + 1;
  {
    FunctionWriter f("visual_attention_pool", false,
                     fmt::format("AttentionPool2d: the mean of the {0}x{0} "
                                 "grid, as one query token, attends over "
                                 "[mean, grid]\nwith {1} heads of {2}.",
                                 size, heads, headDim));
    Value x = f.argument("x", {kBatch, embed, size, size});
    const std::string p = "visual.attnpool.";
    Value pos = f.param("positional_embedding", p + "positional_embedding",
                        {tokens, embed});
    Value qW = f.param("q_w", p + "q_proj.weight", {embed, embed});
    Value qB = f.param("q_b", p + "q_proj.bias", {embed});
    Value kW = f.param("k_w", p + "k_proj.weight", {embed, embed});
    Value kB = f.param("k_b", p + "k_proj.bias", {embed});
    Value vW = f.param("v_w", p + "v_proj.weight", {embed, embed});
    Value vB = f.param("v_b", p + "v_proj.bias", {embed});
    Value cW = f.param("c_w", p + "c_proj.weight", {config.embedDim, embed});
    Value cB = f.param("c_b", p + "c_proj.bias", {config.embedDim});
    f.blank();
    Value flat = f.reshape("flat", x, {kBatch, embed, spatial});
    Value grid = f.transpose("grid", flat, {0, 2, 1});
    Value mean = f.reduce("reduce_mean", "mean", grid, {1}, true);
    Value seq = f.concat("tokens", {mean, grid}, 1);
    Value s = f.binary("add", "embedded", seq, pos);
    Value query = f.slice("query", s, 1, 0, 1);
    Value qMm = f.matmul("q_mm", query, qW, false, true);
    Value q0 = f.binary("add", "q_proj", qMm, qB);
    Value kMm = f.matmul("k_mm", s, kW, false, true);
    Value k0 = f.binary("add", "k_proj", kMm, kB);
    Value vMm = f.matmul("v_mm", s, vW, false, true);
    Value v0 = f.binary("add", "v_proj", vMm, vB);
    f.blank();
    Value qh =
        f.transpose("q", f.reshape("q_split", q0, {kBatch, 1, heads, headDim}),
                    {0, 2, 1, 3});
    Value kh = f.transpose(
        "k", f.reshape("k_split", k0, {kBatch, tokens, heads, headDim}),
        {0, 2, 1, 3});
    Value vh = f.transpose(
        "v", f.reshape("v_split", v0, {kBatch, tokens, heads, headDim}),
        {0, 2, 1, 3});
    Value scale =
        f.scalar("scale", 1.0 / std::sqrt(static_cast<double>(headDim)));
    Value qScaled = f.binary("mul", "q_scaled", qh, scale);
    Value scores = f.matmul("scores", qScaled, kh, false, true);
    Value probs = f.softmax("softmax", "probs", scores, 3);
    Value context = f.matmul("context", probs, vh, false, false);
    Value contextT = f.transpose("context_t", context, {0, 2, 1, 3});
    Value merged = f.reshape("merged", contextT, {kBatch, embed});
    Value outMm = f.matmul("out_mm", merged, cW, false, true);
    f.ret({f.binary("add", "out", outMm, cB)});
    module.add(std::move(f));
  }

  FunctionWriter f("encode_image", true,
                   fmt::format("ModifiedResNet ({}): stem, 4 stages, attention "
                               "pooling.",
                               fmt::join(v.resnetLayers, "-")));
  Value image = f.argument("image", {kBatch, 3, v.imageSize, v.imageSize});
  int64_t channels = width, s = v.imageSize / 4;
  Value x = f.call("stem", "visual_stem", {image},
                   Value{"", {kBatch, channels, s, s}, "f32"});
  for (int stage = 1; stage <= 4; ++stage) {
    const int64_t stride = stage == 1 ? 1 : 2;
    channels = (width << (stage - 1)) * 4;
    s /= stride;
    x = f.call(fmt::format("layer{}", stage), stageNames[stage - 1], {x},
               Value{"", {kBatch, channels, s, s}, "f32"});
  }
  f.ret({f.call("features", "visual_attention_pool", {x},
                Value{"", {kBatch, config.embedDim}, "f32"})});
  module.add(std::move(f));
}

void Generator::textTransformer() {
  const TextConfig &t = config.text;
  const int64_t hidden = t.mlpHidden();
  const std::string lnPooled = layerNorm("text", {kBatch, t.width}, "_pooled");
  const std::string blocks =
      transformer("text", "transformer.", t.contextLength, t.width, t.heads,
                  t.layers, hidden, true);

  FunctionWriter f("encode_text", true,
                   fmt::format("TextTransformer: token + positional embedding, "
                               "{} causal blocks of width {},\npooling at the "
                               "EOS token (the argmax of the ids), ln_final, "
                               "projection. Pooling before\nln_final equals "
                               "OpenCLIP's order (LayerNorm is per token).",
                               t.layers, t.width));
  Value text = f.argument("text", {kBatch, t.contextLength}, "i64");
  Value tokW = f.param("token_embedding", "token_embedding.weight",
                       {t.vocabSize, t.width});
  Value pos = f.param("positional_embedding", "positional_embedding",
                      {t.contextLength, t.width});
  Value lnW = f.param("ln_final_w", "ln_final.weight", {t.width});
  Value lnB = f.param("ln_final_b", "ln_final.bias", {t.width});
  Value proj =
      f.param("text_projection", "text_projection", {t.width, config.embedDim});
  f.blank();
  Value embedded = f.gather("tokens", tokW, text, 0, 0);
  Value x = f.binary("add", "embedded", embedded, pos);
  x = f.call("x_out", blocks, {x}, x);
  f.blank();
  Value eos = f.argmax("eos", text, 1);
  Value pooled = f.gather("pooled", x, eos, 1, 1);
  Value normed = f.call("pooled_ln", lnPooled, {pooled, lnW, lnB}, pooled);
  f.ret({f.matmul("features", normed, proj, false, false)});
  module.add(std::move(f));
}

void Generator::l2Normalize() {
  FunctionWriter f("l2_normalize", false,
                   "F.normalize(x, dim=-1): x / max(||x||, 1e-12).");
  Value x = f.argument("x", {kBatch, config.embedDim});
  Value squared = f.binary("mul", "squared", x, x);
  Value sum = f.reduce("reduce_sum", "sum", squared, {1}, true);
  Value norm = f.unary("sqrt", "norm", sum);
  Value eps = f.scalar("eps", 1e-12);
  Value clamped = f.binary("max", "clamped", norm, eps);
  f.ret({f.binary("div", "out", x, clamped)});
  module.add(std::move(f));
}

void Generator::contrastiveLoss() {
  l2Normalize();
  const Value features{"", {kBatch, config.embedDim}, "f32"};
  FunctionWriter f("contrastive_loss", false,
                   "ClipLoss: logits = exp(logit_scale) * norm(image) "
                   "norm(text)^T; the loss is the mean of\nthe cross-entropies "
                   "of rows (image -> text) and columns (text -> image) "
                   "against the diagonal.");
  Value image = f.argument("image_features", features.shape);
  Value text = f.argument("text_features", features.shape);
  Value logitScale = f.param("logit_scale", "logit_scale", {});
  Value imageN = f.call("image_n", "l2_normalize", {image}, features);
  Value textN = f.call("text_n", "l2_normalize", {text}, features);
  Value scale = f.unary("exp", "scale", logitScale);
  Value similarity = f.matmul("similarity", imageN, textN, false, true);
  Value logits = f.binary("mul", "logits", similarity, scale);
  f.blank();
  Value labels = f.iota("labels", {kBatch}, 0, "i64");
  Value rowLsm = f.softmax("log_softmax", "image_log_probs", logits, 1);
  Value rowDiag = f.gather("image_correct", rowLsm, labels, 1, 1);
  Value rowMean = f.reduce("reduce_mean", "image_mean", rowDiag, {0}, false);
  Value colLsm = f.softmax("log_softmax", "text_log_probs", logits, 0);
  Value colDiag = f.gather("text_correct", colLsm, labels, 1, 1);
  Value colMean = f.reduce("reduce_mean", "text_mean", colDiag, {0}, false);
  Value total = f.binary("add", "total", rowMean, colMean);
  Value half = f.scalar("neg_half", -0.5);
  Value loss = f.binary("mul", "loss", total, half);
  f.ret({loss, logits});
  module.add(std::move(f));
}

void Generator::forward() {
  const VisionConfig &v = config.vision;
  const Value features{"", {kBatch, config.embedDim}, "f32"};
  FunctionWriter f("forward", true,
                   "The training objective: (loss, logits_per_image, "
                   "image_features, text_features).");
  Value image =
      f.input("image", "image", {kBatch, 3, v.imageSize, v.imageSize}, "f32");
  Value text =
      f.input("text", "text", {kBatch, config.text.contextLength}, "i64");
  // Patch dropout: the trainer names the patches each image keeps.
  Value imageF =
      v.patchesKept()
          ? f.call("image_features", "encode_image_train",
                   {image, f.input("patch_keep", CLIP_PATCH_KEEP,
                                   {kBatch, v.patchesKept()}, "i64")},
                   features)
          : f.call("image_features", "encode_image", {image}, features);
  Value textF = f.call("text_features", "encode_text", {text}, features);
  std::vector<Value> lossAndLogits =
      f.call({"loss", "logits_per_image"}, "contrastive_loss", {imageF, textF},
             {Value{"", {}, "f32"}, Value{"", {kBatch, kBatch}, "f32"}});
  f.ret({lossAndLogits[0], lossAndLogits[1], imageF, textF});
  module.add(std::move(f));
}

void Generator::generate() {
  forward();
  if (config.vision.isResNet())
    modifiedResNet();
  else
    visionTransformer();
  textTransformer();
  contrastiveLoss();
}

} // namespace

std::string generateClipModel(const ModelConfig &config,
                              const std::string &source) {
  const VisionConfig &v = config.vision;
  const TextConfig &t = config.text;
  std::string vision =
      v.isResNet()
          ? fmt::format("ModifiedResNet layers [{}], width {}, image {}",
                        fmt::join(v.resnetLayers, ", "), v.width, v.imageSize)
          : fmt::format("ViT image {}, patch {}, width {}, {} layers, {} heads",
                        v.imageSize, v.patchSize, v.width, v.layers,
                        v.width / v.headWidth);
  std::string header = fmt::format(
      "// GENERATED by clip-modelgen from {} -- do not edit; regenerate with\n"
      "//   clip-modelgen {} -o <this file>\n"
      "//\n"
      "// CLIP {}: {};\n"
      "// text context {}, vocab {}, width {}, {} layers, {} heads; embed dim "
      "{}; {}.\n"
      "// Unfused: attention as matmuls and softmax, LayerNorm as reductions, "
      "the loss as\n"
      "// normalize, similarity, scale and cross-entropy. Parameters carry "
      "OpenCLIP's\n"
      "// state-dict keys and shapes; `?` is the batch.\n\n",
      source, source, config.name, vision, t.contextLength, t.vocabSize,
      t.width, t.layers, t.heads, config.embedDim,
      config.quickGelu ? "QuickGELU" : "GELU (erf)");
  if (const int64_t kept = v.patchesKept())
    header += fmt::format(
        "// Patch dropout {}: training keeps the class token and {} of the "
        "{} patches\n// (input `patch_keep`); @encode_image keeps all.\n\n",
        v.patchDropout, kept, (v.imageSize / v.patchSize) * (v.imageSize / v.patchSize));
  ModuleWriter module(header);
  Generator(config, module).generate();
  return module.str();
}

std::string generateClipModelFile(const std::string &path, int64_t imageSize,
                                  double patchDropout) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    throw std::runtime_error(fmt::format("cannot read {}: {}", path,
                                         buffer.getError().message()));
  std::string name = llvm::sys::path::stem(path).str();
  if (name == "config") {
    llvm::SmallString<256> absolute(path);
    llvm::sys::fs::make_absolute(absolute);
    llvm::StringRef folder =
        llvm::sys::path::filename(llvm::sys::path::parent_path(absolute));
    if (!folder.empty())
      name = folder.str();
  }
  ModelConfig config =
      parseModelConfig((*buffer)->getBuffer().str(), name, imageSize);
  if (patchDropout >= 0) {
    if (patchDropout >= 1)
      throw std::runtime_error(fmt::format(
          "--patch-dropout is the fraction of patches dropped, in [0, 1) "
          "(got {})",
          patchDropout));
    if (config.vision.isResNet() && patchDropout > 0)
      throw std::runtime_error(
          "--patch-dropout needs a ViT image tower (a ResNet has no patches)");
    config.vision.patchDropout = patchDropout;
  }
  // Name the config by its path relative to the repository, as the
  // checked-in files do, so regenerating gives identical bytes.
  std::string source = path;
  if (size_t at = source.find("models/clip/"); at != std::string::npos)
    source = source.substr(at);
  if (imageSize > 0)
    source += " --image-size " + std::to_string(imageSize);
  if (patchDropout >= 0)
    source += fmt::format(" --patch-dropout {}", patchDropout);
  return generateClipModel(config, source);
}

} // namespace clip::modelgen
