//===- Pretrained.h - Parameters from the checkpoints users have -----------===//
//
// One entry point for every parameter file `--params` accepts, each turned
// into our form: OpenCLIP's state-dict names, f32, contiguous.
//   - safetensors with OpenCLIP's names (ours, open_clip_model.safetensors);
//   - Hugging Face transformers CLIPModel weights (model.safetensors, or
//     sharded with model.safetensors.index.json), whose names are mapped:
//     q/k/v projections merged into in_proj, the two projections
//     transposed, pre_layrnorm -> ln_pre, position ids dropped, and every
//     key accounted for (an unknown one is an error, not ignored);
//   - PyTorch checkpoints written by torch.save (open_clip_pytorch_model.bin,
//     pytorch_model.bin, OpenCLIP's training checkpoints), read by a
//     restricted unpickler (TorchCheckpoint.h), with DDP's "module." prefix
//     dropped;
//   - a folder holding any of these (what the hub's snapshot download gives).
// Half and bfloat16 weights become f32 exactly.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_IO_PRETRAINED_H
#define CLIP_RUNTIME_IO_PRETRAINED_H

#include "runtime/io/Safetensors.h"

#include <map>
#include <string>

namespace clip::io {

/// What kind of file was read, for messages ("Hugging Face CLIPModel
/// safetensors (2 shards)").
struct ParameterSource {
  std::string path;        // the file actually read (or the index)
  std::string description;
};

/// Reads `path` as described above. Throws (SafetensorsError,
/// TorchCheckpointError, ZipError, PretrainedError) naming the file and the
/// problem.
SafetensorsFile readParameters(const std::string &path,
                               ParameterSource *source = nullptr);

class PretrainedError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Hugging Face CLIPModel names -> OpenCLIP's (in place). Throws naming
/// every key it cannot place. Exposed for tests.
void convertHuggingFaceNames(std::map<std::string, HostTensor> &tensors,
                             const std::string &origin);

} // namespace clip::io

#endif // CLIP_RUNTIME_IO_PRETRAINED_H
