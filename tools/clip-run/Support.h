//===- Support.h - What clip-run's commands share ---------------*- C++ -*-===//
#ifndef CLIP_TOOLS_CLIP_RUN_SUPPORT_H
#define CLIP_TOOLS_CLIP_RUN_SUPPORT_H

#include "Flags.h"

#include "runtime/core/Executor.h"
#include "runtime/data/Sample.h"

#include <memory>
#include <string>

namespace clip::run {

/// An executor of `function` on `device` ("cpu" or "cuda").
std::unique_ptr<runtime::Executor> makeExecutor(const runtime::Library &library,
                                                const std::string &function,
                                                const std::string &device);
/// The index of input `name`; throws naming the function.
int32_t inputIndex(const runtime::Executor &executor, const char *name);
/// The flags of every data-reading command: device, threads, data sources.
Flags commonFlags();
/// The image-text source the flags name (--csv, --tar or --data).
std::unique_ptr<data::SampleSource> openSource(const Flags &flags, bool train);
/// --vocab, or where set-up put the BPE vocabulary.
std::string vocabularyPath(const Flags &flags);

} // namespace clip::run

#endif // CLIP_TOOLS_CLIP_RUN_SUPPORT_H
