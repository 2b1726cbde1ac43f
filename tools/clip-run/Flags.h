//===- Flags.h - clip-run's command-line flags ------------------*- C++ -*-===//
//
// `--name value` and `--switch` flags of one command: declared with a
// default and help text, parsed once, read typed. Any unknown flag, missing
// value or value of the wrong form is one clear error naming the flag.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_TOOLS_CLIP_RUN_FLAGS_H
#define CLIP_TOOLS_CLIP_RUN_FLAGS_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace clip::run {

class Flags {
public:
  /// A flag taking a value (`--lr 5e-4`).
  Flags &value(const std::string &name, const std::string &fallback,
               const std::string &help);
  /// A flag without value (`--skip-bad`).
  Flags &toggle(const std::string &name, const std::string &help);

  /// Parses `args` (flags and positionals); throws on an unknown flag or a
  /// missing value. Returns the positionals.
  std::vector<std::string> parse(const std::vector<std::string> &args);

  std::string str(const std::string &name) const;
  int64_t integer(const std::string &name, int64_t min = 0) const;
  double number(const std::string &name) const;
  bool on(const std::string &name) const;
  bool given(const std::string &name) const;
  /// Every flag's value (its default where not given), by name.
  std::map<std::string, std::string> values() const;
  /// The flags and their help, aligned, for --help.
  std::string help() const;

private:
  struct Flag {
    std::string value, help;
    bool isToggle = false, given = false;
  };
  std::map<std::string, Flag> flags;
  std::vector<std::string> order;
};

} // namespace clip::run

#endif // CLIP_TOOLS_CLIP_RUN_FLAGS_H
