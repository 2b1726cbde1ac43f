//===- Checkpoint.h - Training checkpoints in safetensors -------*- C++ -*-===//
//
// One safetensors file: the parameters under OpenCLIP's state-dict names
// (loadable by OpenCLIP as they are), the AdamW moments under
// "optimizer/...", and in the metadata the step, the data position and the
// run's settings. Written atomically (temporary file, flush, rename): a
// crash while saving leaves the previous checkpoint intact.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TRAIN_CHECKPOINT_H
#define CLIP_RUNTIME_TRAIN_CHECKPOINT_H

#include "runtime/core/Executor.h"
#include "runtime/io/Safetensors.h"
#include "runtime/train/Optimizer.h"

#include <map>
#include <string>

namespace clip::train {

/// Writes the executor's parameters, the optimizer and `metadata`.
void saveCheckpoint(const std::string &path, runtime::Executor &executor,
                    const AdamW *optimizer,
                    const std::map<std::string, std::string> &metadata);

/// Reads parameters (every one the executor's function has; extra keys
/// allowed) and, when `optimizer` is given, its state. Without an
/// optimizer, `path` may be any checkpoint io::readParameters reads. Returns the
/// metadata. Throws naming the file and what is missing or wrong.
std::map<std::string, std::string> loadCheckpoint(const std::string &path,
                                                  runtime::Executor &executor,
                                                  AdamW *optimizer);

/// Copies every parameter the executor's function has from `file` (extra
/// keys allowed); throws naming the file and what is missing or wrong.
void bindParameters(const io::SafetensorsFile &file,
                    runtime::Executor &executor);

} // namespace clip::train

#endif // CLIP_RUNTIME_TRAIN_CHECKPOINT_H
