//===- Commands.h - clip-run's commands -------------------------*- C++ -*-===//
#ifndef CLIP_TOOLS_CLIP_RUN_COMMANDS_H
#define CLIP_TOOLS_CLIP_RUN_COMMANDS_H

#include <string>
#include <vector>

namespace clip::run {

/// `clip-run train FILE.so [flags]`: args after the command name.
int trainCommand(const std::vector<std::string> &args);
/// `clip-run eval FILE.so [flags]`.
int evalCommand(const std::vector<std::string> &args);
/// `clip-run embed FILE.so [flags]`.
int embedCommand(const std::vector<std::string> &args);

} // namespace clip::run

#endif // CLIP_TOOLS_CLIP_RUN_COMMANDS_H
