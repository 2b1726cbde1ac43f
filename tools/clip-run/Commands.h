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

/// `clip-run convert CHECKPOINT -o OUT.safetensors`.
int convertCommand(const std::vector<std::string> &args);
/// `clip-run classify FILE.so --params F IMAGES... --labels ...`.
int classifyCommand(const std::vector<std::string> &args);
/// `clip-run search FILE.so --params F --index EMB (--text|--image) ...`.
int searchCommand(const std::vector<std::string> &args);

/// `clip-run filter FILE.so --params F (--csv|--tar) --min-score S ...`.
int filterCommand(const std::vector<std::string> &args);

} // namespace clip::run

#endif // CLIP_TOOLS_CLIP_RUN_COMMANDS_H
