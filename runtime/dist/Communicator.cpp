//===- Communicator.cpp - What every communicator shares ------------------===//

#include "runtime/dist/Communicator.h"

#include "runtime/core/Library.h"

#include "fmt/format.h"

#include <cstdlib>
#include <cstring>

namespace clip::dist {

void Communicator::checkSame(
    const std::map<std::string, std::string> &settings) {
  // One string a rank, "key=value" lines in key order (a std::map).
  std::string mine;
  for (const auto &[key, value] : settings)
    mine += key + "=" + value + "\n";
  const std::vector<std::string> all = allGather(mine);
  for (int r = 1; r < size(); ++r) {
    if (all[r] == all[0])
      continue;
    // Name the first differing setting; every rank throws the same message.
    auto parse = [](const std::string &text) {
      std::map<std::string, std::string> out;
      size_t at = 0;
      while (at < text.size()) {
        const size_t end = text.find('\n', at);
        const std::string line = text.substr(at, end - at);
        const size_t eq = line.find('=');
        out[line.substr(0, eq)] = line.substr(eq + 1);
        at = end + 1;
      }
      return out;
    };
    const auto first = parse(all[0]), other = parse(all[r]);
    for (const auto &[key, value] : first) {
      auto it = other.find(key);
      const std::string theirs = it == other.end() ? "(none)" : it->second;
      if (theirs != value)
        throw runtime::RuntimeError(fmt::format(
            "the ranks disagree on {}: rank 0 has `{}`, rank {} has `{}` "
            "(every rank must run the same command on the same files)",
            key, value, r, theirs));
    }
    throw runtime::RuntimeError(fmt::format(
        "the ranks disagree on their settings (rank 0 and rank {})", r));
  }
}

void SingleProcess::allGather(const float *mine, float *all, int64_t count) {
  if (all != mine)
    std::memmove(all, mine, static_cast<size_t>(count) * sizeof(float));
}

void SingleProcess::reduceScatterSum(const float *all, float *mine,
                                     int64_t count) {
  if (all != mine)
    std::memmove(mine, all, static_cast<size_t>(count) * sizeof(float));
}

bool launchedAsJob() {
  // Open MPI's mpirun, PMIx (srun --mpi=pmix, prterun), Slurm's PMI.
  for (const char *name :
       {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
    if (std::getenv(name))
      return true;
  return false;
}

#ifndef CLIP_HAVE_MPI
std::unique_ptr<Communicator> connect(double) {
  if (launchedAsJob())
    throw runtime::RuntimeError(
        "this process was started by mpirun or srun, but this build has no "
        "MPI: install Open MPI (libopenmpi-dev) and rebuild, or run one "
        "process");
  return std::make_unique<SingleProcess>();
}
#endif

} // namespace clip::dist
