//===- Flags.cpp - clip-run's command-line flags --------------------------===//

#include "Flags.h"

#include "runtime/core/Library.h"

#include "fmt/format.h"

#include <cmath>

namespace clip::run {

using runtime::RuntimeError;

Flags &Flags::value(const std::string &name, const std::string &fallback,
                    const std::string &help) {
  flags[name] = {fallback, help, false, false};
  order.push_back(name);
  return *this;
}

Flags &Flags::toggle(const std::string &name, const std::string &help) {
  flags[name] = {"", help, true, false};
  order.push_back(name);
  return *this;
}

std::vector<std::string> Flags::parse(const std::vector<std::string> &args) {
  std::vector<std::string> positionals;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    // One-letter flags are spelled with one dash (-k 10), the rest with two.
    const bool shortFlag = arg.size() == 2 && arg[0] == '-' && arg[1] != '-';
    if (arg.rfind("--", 0) != 0 && !shortFlag) {
      positionals.push_back(arg);
      continue;
    }
    auto it = flags.find(arg.substr(shortFlag ? 1 : 2));
    if (it != flags.end() && (it->first.size() == 1) != shortFlag)
      it = flags.end();
    if (it == flags.end())
      throw RuntimeError(fmt::format("unknown option `{}` (see --help)", arg));
    Flag &flag = it->second;
    flag.given = true;
    if (flag.isToggle)
      continue;
    if (i + 1 >= args.size())
      throw RuntimeError(fmt::format("{} needs a value", arg));
    flag.value = args[++i];
  }
  return positionals;
}

std::string Flags::str(const std::string &name) const {
  return flags.at(name).value;
}

bool Flags::on(const std::string &name) const { return flags.at(name).given; }
bool Flags::given(const std::string &name) const {
  return flags.at(name).given;
}

int64_t Flags::integer(const std::string &name, int64_t min) const {
  const std::string &text = flags.at(name).value;
  try {
    size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size() && value >= min)
      return value;
  } catch (const std::exception &) {
  }
  throw RuntimeError(
      fmt::format("--{} wants an integer >= {}, got `{}`", name, min, text));
}

double Flags::number(const std::string &name) const {
  const std::string &text = flags.at(name).value;
  try {
    size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value))
      return value;
  } catch (const std::exception &) {
  }
  throw RuntimeError(fmt::format("--{} wants a number, got `{}`", name, text));
}

std::string Flags::help() const {
  std::string text;
  for (const std::string &name : order) {
    const Flag &flag = flags.at(name);
    const std::string dashes = name.size() == 1 ? "-" : "--";
    const std::string left = flag.isToggle
                                 ? dashes + name
                                 : fmt::format("{}{} X", dashes, name);
    text += fmt::format("  {:<24}{}{}\n", left, flag.help,
                        flag.isToggle || flag.value.empty()
                            ? ""
                            : fmt::format(" (default {})", flag.value));
  }
  return text;
}

std::map<std::string, std::string> Flags::values() const {
  std::map<std::string, std::string> out;
  for (const auto &[name, flag] : flags)
    out[name] = flag.isToggle ? (flag.given ? "on" : "off") : flag.value;
  return out;
}

} // namespace clip::run
