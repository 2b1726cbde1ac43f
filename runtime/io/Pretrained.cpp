//===- Pretrained.cpp - Parameters from the checkpoints users have --------===//
#include "runtime/io/Pretrained.h"

#include "runtime/io/Json.h"
#include "runtime/io/TorchCheckpoint.h"
#include "runtime/io/Zip.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <set>

namespace clip::io {

namespace fs = std::filesystem;

namespace {

using TensorMap = std::map<std::string, HostTensor>;

bool startsWith(const std::string &s, const std::string &prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void addAll(const SafetensorsFile &file, TensorMap &out) {
  for (const TensorView &t : file.tensors()) {
    HostTensor h{t.dtype, t.shape,
                 std::vector<uint8_t>(t.data, t.data + t.byteSize)};
    if (!out.emplace(t.name, std::move(h)).second)
      throw PretrainedError(fmt::format("{}: tensor `{}` is also in another "
                                        "shard",
                                        file.origin(), t.name));
  }
}

/// model.safetensors.index.json: {"metadata": ..., "weight_map": {name:
/// shard file}}; every shard is read and must hold exactly its names.
TensorMap readShards(const std::string &indexPath) {
  JsonValue index;
  try {
    index = parseJson(
        [&] {
          std::vector<uint8_t> b = readBinaryFile(indexPath);
          return std::string(b.begin(), b.end());
        }());
  } catch (const JsonError &e) {
    throw PretrainedError(fmt::format("{}: {}", indexPath, e.what()));
  }
  const JsonValue *map = index.isObject() ? index.get("weight_map") : nullptr;
  if (!map || !map->isObject())
    throw PretrainedError(fmt::format(
        "{}: no \"weight_map\" object: not a sharded checkpoint's index",
        indexPath));
  std::map<std::string, std::set<std::string>> shards;
  for (const auto &[name, file] : map->object) {
    if (!file.isString() || file.text.find('/') != std::string::npos ||
        file.text.empty())
      throw PretrainedError(fmt::format(
          "{}: weight_map[\"{}\"] is not a file name beside the index",
          indexPath, name));
    shards[file.text].insert(name);
  }
  TensorMap out;
  const fs::path folder = fs::path(indexPath).parent_path();
  for (const auto &[file, names] : shards) {
    const SafetensorsFile shard =
        SafetensorsFile::read((folder / file).string());
    std::vector<std::string> unlisted, absent;
    for (const TensorView &t : shard.tensors())
      if (!names.count(t.name))
        unlisted.push_back(t.name);
    for (const std::string &n : names)
      if (!shard.find(n))
        absent.push_back(n);
    if (!unlisted.empty() || !absent.empty())
      throw PretrainedError(fmt::format(
          "{}: does not match {}:{}{}", shard.origin(), indexPath,
          absent.empty() ? ""
                         : fmt::format(" missing {}", fmt::join(absent, ", ")),
          unlisted.empty()
              ? ""
              : fmt::format(" not in the index {}", fmt::join(unlisted, ", "))));
    addAll(shard, out);
  }
  return out;
}

/// The file a checkpoint folder holds, in the order the hub's repositories
/// prefer them.
std::string inFolder(const std::string &folder) {
  for (const char *name :
       {"open_clip_model.safetensors", "model.safetensors.index.json",
        "model.safetensors", "open_clip_pytorch_model.bin",
        "pytorch_model.bin"}) {
    const fs::path p = fs::path(folder) / name;
    if (fs::exists(p))
      return p.string();
  }
  throw PretrainedError(fmt::format(
      "{}: a folder without open_clip_model.safetensors, "
      "model.safetensors(.index.json), open_clip_pytorch_model.bin or "
      "pytorch_model.bin",
      folder));
}

bool isFloat(DType d) {
  return d == DType::F64 || d == DType::F32 || d == DType::F16 ||
         d == DType::BF16;
}

/// A 2-D tensor transposed (f32 after toFloat32).
HostTensor transposed(const HostTensor &t, const std::string &name,
                      const std::string &origin) {
  if (t.shape.size() != 2)
    throw PretrainedError(fmt::format("{}: `{}` has shape {}, expected a "
                                      "matrix",
                                      origin, name, formatShape(t.shape)));
  const int64_t rows = t.shape[0], cols = t.shape[1];
  const size_t size = dtypeSize(t.dtype);
  HostTensor out{t.dtype, {cols, rows}, std::vector<uint8_t>(t.bytes.size())};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(&out.bytes[(c * rows + r) * size],
                  &t.bytes[(r * cols + c) * size], size);
  return out;
}

} // namespace

void convertHuggingFaceNames(TensorMap &tensors, const std::string &origin) {
  static const std::vector<std::pair<std::string, std::string>> exact = {
      {"vision_model.embeddings.class_embedding", "visual.class_embedding"},
      {"vision_model.embeddings.patch_embedding.weight", "visual.conv1.weight"},
      {"vision_model.embeddings.position_embedding.weight",
       "visual.positional_embedding"},
      {"vision_model.pre_layrnorm.weight", "visual.ln_pre.weight"},
      {"vision_model.pre_layrnorm.bias", "visual.ln_pre.bias"},
      {"vision_model.post_layernorm.weight", "visual.ln_post.weight"},
      {"vision_model.post_layernorm.bias", "visual.ln_post.bias"},
      {"text_model.embeddings.token_embedding.weight",
       "token_embedding.weight"},
      {"text_model.embeddings.position_embedding.weight",
       "positional_embedding"},
      {"text_model.final_layer_norm.weight", "ln_final.weight"},
      {"text_model.final_layer_norm.bias", "ln_final.bias"},
      {"logit_scale", "logit_scale"},
  };
  // Within a layer: HF's suffix -> OpenCLIP's.
  static const std::vector<std::pair<std::string, std::string>> layer = {
      {"self_attn.out_proj.weight", "attn.out_proj.weight"},
      {"self_attn.out_proj.bias", "attn.out_proj.bias"},
      {"layer_norm1.weight", "ln_1.weight"},
      {"layer_norm1.bias", "ln_1.bias"},
      {"layer_norm2.weight", "ln_2.weight"},
      {"layer_norm2.bias", "ln_2.bias"},
      {"mlp.fc1.weight", "mlp.c_fc.weight"},
      {"mlp.fc1.bias", "mlp.c_fc.bias"},
      {"mlp.fc2.weight", "mlp.c_proj.weight"},
      {"mlp.fc2.bias", "mlp.c_proj.bias"},
  };
  TensorMap out;
  std::vector<std::string> unknown;
  // q/k/v parts by OpenCLIP name of the merged tensor: [q, k, v].
  std::map<std::string, std::array<const HostTensor *, 3>> merged;
  auto put = [&](const std::string &name, HostTensor t) {
    out.emplace(name, std::move(t));
  };
  for (auto &[name, tensor] : tensors) {
    if (endsWith(name, "embeddings.position_ids"))
      continue; // a buffer of 0..n-1, not a parameter
    bool placed = false;
    for (const auto &[hf, ours] : exact)
      if (name == hf) {
        put(ours, std::move(tensor));
        placed = true;
      }
    if (name == "visual_projection.weight" || name == "text_projection.weight") {
      put(name == "visual_projection.weight" ? "visual.proj"
                                             : "text_projection",
          transposed(tensor, name, origin));
      placed = true;
    }
    for (const auto &[tower, ours] :
         {std::pair<std::string, std::string>{"vision_model.encoder.layers.",
                                              "visual.transformer.resblocks."},
          {"text_model.encoder.layers.", "transformer.resblocks."}}) {
      if (placed || !startsWith(name, tower))
        continue;
      const size_t dot = name.find('.', tower.size());
      const std::string index = name.substr(tower.size(), dot - tower.size());
      if (dot == std::string::npos || index.empty() ||
          index.find_first_not_of("0123456789") != std::string::npos)
        break;
      const std::string rest = name.substr(dot + 1);
      const std::string prefix = ours + index + ".";
      for (const auto &[hf, o] : layer)
        if (rest == hf) {
          put(prefix + o, std::move(tensor));
          placed = true;
        }
      for (int part = 0; part < 3 && !placed; ++part)
        for (const char *kind : {"weight", "bias"})
          if (rest == fmt::format("self_attn.{}_proj.{}", "qkv"[part], kind)) {
            merged[prefix + "attn.in_proj_" + kind][part] = &tensor;
            placed = true;
          }
    }
    if (!placed)
      unknown.push_back(name);
  }
  if (!unknown.empty())
    throw PretrainedError(fmt::format(
        "{}: Hugging Face CLIPModel weights with keys this converter cannot "
        "place: {} (another architecture than CLIPModel's ViT towers?)",
        origin, fmt::join(unknown, ", ")));
  for (auto &[name, parts] : merged) {
    for (int part = 0; part < 3; ++part)
      if (!parts[part])
        throw PretrainedError(fmt::format(
            "{}: `{}` needs q, k and v projections; the {} one is missing",
            origin, name, "qkv"[part]));
    const HostTensor &q = *parts[0];
    HostTensor in{q.dtype, q.shape, {}};
    in.shape[0] *= 3;
    for (const HostTensor *p : parts) {
      if (p->shape != q.shape || p->dtype != q.dtype)
        throw PretrainedError(fmt::format(
            "{}: the q, k and v projections of `{}` differ in shape or dtype",
            origin, name));
      in.bytes.insert(in.bytes.end(), p->bytes.begin(), p->bytes.end());
    }
    out.emplace(name, std::move(in));
  }
  tensors = std::move(out);
}

SafetensorsFile readParameters(const std::string &path,
                               ParameterSource *source) {
  std::string file = path;
  std::error_code ec;
  if (fs::is_directory(path, ec))
    file = inFolder(path);

  TensorMap tensors;
  std::string kind;
  if (endsWith(file, ".index.json")) {
    tensors = readShards(file);
    kind = "sharded safetensors";
  } else {
    std::vector<uint8_t> bytes = readBinaryFile(file);
    if (looksLikeZip(bytes)) {
      tensors = parseTorchCheckpoint(std::move(bytes), file);
      kind = "PyTorch checkpoint (torch.save)";
    } else {
      SafetensorsFile plain = SafetensorsFile::parse(std::move(bytes), file);
      // Already ours: hand it back as it is (no copy, metadata kept).
      bool ours = true;
      for (const TensorView &t : plain.tensors())
        if (startsWith(t.name, "vision_model.") ||
            startsWith(t.name, "text_model.") || startsWith(t.name, "module."))
          ours = false;
      if (ours) {
        if (source)
          *source = {file, "safetensors"};
        return plain;
      }
      addAll(plain, tensors);
      kind = "safetensors";
    }
  }

  // DistributedDataParallel's wrapper prefixes every key with "module.".
  if (!tensors.empty() &&
      std::all_of(tensors.begin(), tensors.end(),
                  [](const auto &t) { return startsWith(t.first, "module."); })) {
    TensorMap stripped;
    for (auto &[name, t] : tensors)
      stripped.emplace(name.substr(7), std::move(t));
    tensors = std::move(stripped);
  }
  if (std::any_of(tensors.begin(), tensors.end(), [](const auto &t) {
        return startsWith(t.first, "vision_model.") ||
               startsWith(t.first, "text_model.");
      })) {
    convertHuggingFaceNames(tensors, file);
    kind = "Hugging Face CLIPModel " + kind;
  }

  SafetensorsWriter writer;
  for (auto &[name, t] : tensors) {
    if (isFloat(t.dtype) && t.dtype != DType::F32) {
      const TensorView view{name, t.dtype, t.shape, t.bytes.data(),
                            t.bytes.size()};
      writer.addDoubles(name, DType::F32, t.shape, view.toDoubles());
    } else {
      writer.add(name, t.dtype, t.shape, std::move(t.bytes));
    }
  }
  writer.setMetadata("converted_from", kind);
  if (source)
    *source = {file, kind};
  return SafetensorsFile::parse(writer.serialize(), file);
}

} // namespace clip::io
