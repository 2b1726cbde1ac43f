//===- Communicator.h - The processes of a data-parallel job ----*- C++ -*-===//
//
// What data-parallel training asks of the processes it runs in: who this
// one is, and the collectives that move features and gradients between
// them. MpiCommunicator (when built with MPI) is the job mpirun or Slurm's
// srun started; SingleProcess is the one process a plain launch is. A
// collective that waits longer than the job's timeout for the others (a
// rank died or hangs) ends this process with a message naming the
// collective, so the launcher ends the job: no silent hang.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DIST_COMMUNICATOR_H
#define CLIP_RUNTIME_DIST_COMMUNICATOR_H

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clip::dist {

class Communicator {
public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// The rank among the processes on this machine (the device to use).
  virtual int localRank() const = 0;
  /// "MPI (Open MPI v4.1.4), rank 0 of 2 (local 0)", "one process".
  virtual std::string describe() const = 0;

  /// all[r * count ...] = rank r's mine[0 .. count).
  virtual void allGather(const float *mine, float *all, int64_t count) = 0;
  /// mine[0 .. count) = the sum over ranks of their all[rank() * count ...].
  virtual void reduceScatterSum(const float *all, float *mine,
                                int64_t count) = 0;
  /// In place: the sum over ranks.
  virtual void allReduceSum(double *data, int64_t count) = 0;
  /// The sum over ranks of each tensor, in place, packed into buckets of
  /// about `bucketBytes` that are reduced while the next is packed
  /// (non-blocking), in the order given (the backward's).
  virtual void
  allReduceSum(const std::vector<std::pair<float *, int64_t>> &tensors,
               int64_t bucketBytes) = 0;
  /// At `root`, in place: the sum over ranks (elsewhere `data` is left as
  /// it is).
  virtual void reduceSum(float *data, int64_t count, int root) = 0;
  /// `root`'s data to every rank.
  virtual void broadcast(float *data, int64_t count, int root) = 0;
  /// Every rank's `value`, by rank.
  virtual std::vector<std::string> allGather(const std::string &value) = 0;
  /// Runs `wait` (a wait for the other ranks that is no call of ours, e.g.
  /// for NCCL) under the same timeout as the collectives, named `what`.
  virtual void guard(const char *what, const std::function<void()> &wait) {
    (void)what;
    wait();
  }

  /// Checks that every rank has the same value of each setting; throws
  /// naming the first setting that differs, with rank 0's value and the
  /// differing ranks' values. Collective.
  void checkSame(const std::map<std::string, std::string> &settings);
};

/// A job of one: the collectives copy.
class SingleProcess final : public Communicator {
public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int localRank() const override { return 0; }
  std::string describe() const override { return "one process"; }
  void allGather(const float *mine, float *all, int64_t count) override;
  void reduceScatterSum(const float *all, float *mine, int64_t count) override;
  void allReduceSum(double *, int64_t) override {}
  void allReduceSum(const std::vector<std::pair<float *, int64_t>> &,
                    int64_t) override {}
  void reduceSum(float *, int64_t, int) override {}
  void broadcast(float *, int64_t, int) override {}
  std::vector<std::string> allGather(const std::string &value) override {
    return {value};
  }
};

/// Whether a launcher (mpirun, srun) started this process as one of a job:
/// its environment says so.
bool launchedAsJob();

/// The job this process belongs to: MPI's when launchedAsJob() (throws when
/// this build has no MPI), else SingleProcess. `timeoutSeconds` bounds the
/// wait of any collective (0: none).
std::unique_ptr<Communicator> connect(double timeoutSeconds);

} // namespace clip::dist

#endif // CLIP_RUNTIME_DIST_COMMUNICATOR_H
