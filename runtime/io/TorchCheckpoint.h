//===- TorchCheckpoint.h - State dicts saved by torch.save -----------------===//
//
// torch.save (PyTorch >= 1.6) writes a zip archive: `<prefix>/data.pkl`, a
// pickle (protocol 2) of the object, in which each tensor's storage is a
// persistent id naming the member `<prefix>/data/<key>` that holds its raw
// bytes. Unpickling is running a program (any global may be called), so
// this reads it with a restricted machine: only the opcodes a state dict
// uses, and only the globals that rebuild tensors and ordered dicts; any
// other opcode or global is refused with its name and byte offset, and
// nothing is ever executed. What it yields is the tensors by key:
// contiguous copies (views and shared storages resolved), little-endian.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_IO_TORCHCHECKPOINT_H
#define CLIP_RUNTIME_IO_TORCHCHECKPOINT_H

#include "runtime/io/Safetensors.h"

#include <map>
#include <string>
#include <vector>

namespace clip::io {

class TorchCheckpointError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The tensors of a state dict. When the pickled object is a dict whose
/// tensors sit one level down (OpenCLIP's training checkpoints:
/// {"epoch", "name", "state_dict": {...}, "optimizer": ...}), the
/// "state_dict" (or "model") entry is taken; non-tensor entries elsewhere
/// (epoch numbers, names) are ignored.
std::map<std::string, HostTensor> readTorchCheckpoint(const std::string &path);
/// The same for an archive held in memory; `origin` names it in messages.
std::map<std::string, HostTensor>
parseTorchCheckpoint(std::vector<uint8_t> bytes, const std::string &origin);

} // namespace clip::io

#endif // CLIP_RUNTIME_IO_TORCHCHECKPOINT_H
