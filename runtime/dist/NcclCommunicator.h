//===- NcclCommunicator.h - Collectives on device memory --------*- C++ -*-===//
//
// The ranks of a data-parallel job joined in one NCCL communicator, for
// tensors that live on the GPUs: rank 0's ncclUniqueId reaches the others
// through the job's host Communicator (MPI), each rank uses the device the
// executors use, and the collectives run on a stream of their own. Each is
// ordered after the work queued so far on the stream it is given, and the
// work queued on that stream next waits for it, so the caller's stream
// needs no synchronization and the collectives overlap with what other
// streams do. synchronize() waits at most the job's timeout: past it (a rank
// died or stalls) the communicator is aborted and the wait throws naming
// the collective, never a silent hang.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DIST_NCCLCOMMUNICATOR_H
#define CLIP_RUNTIME_DIST_NCCLCOMMUNICATOR_H

#include "runtime/dist/Communicator.h"
#include "runtime/gpu/CudaApi.h"
#include "runtime/gpu/Nccl.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace clip::dist {

class NcclCommunicator {
public:
  /// Collective over `host`'s ranks. `driver` must have the device's
  /// context current. `timeoutSeconds` bounds synchronize() (0: none).
  NcclCommunicator(Communicator &host, gpu::CudaDriver &driver,
                   double timeoutSeconds);
  ~NcclCommunicator();
  NcclCommunicator(const NcclCommunicator &) = delete;
  NcclCommunicator &operator=(const NcclCommunicator &) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// "NCCL 2.28.9 (...), rank 0 of 2".
  std::string describe() const;

  /// f32 buffers in device memory; `after` is the stream whose work the
  /// collective follows and whose next work follows it.
  /// all[r * count ...] = rank r's mine[0 .. count) (in place when mine is
  /// all + rank() * count).
  void allGather(CUdeviceptr mine, CUdeviceptr all, int64_t count,
                 CUstream after);
  /// mine[0 .. count) = the sum over ranks of their all[rank() * count ...].
  void reduceScatterSum(CUdeviceptr all, CUdeviceptr mine, int64_t count,
                        CUstream after);
  /// In place: the sum over ranks.
  void allReduceSum(CUdeviceptr data, int64_t count, CUstream after);
  /// In place: the sum over ranks of each tensor, the tensors taken in the
  /// order given (the backward's) as one run of floats cut into buckets of
  /// `bucketBytes`. A bucket is packed on `after`, all-reduced and unpacked
  /// on the NCCL stream; two staging buckets alternate, so one is packed
  /// while the other travels, and `after` waits only for the last.
  void allReduceSum(const std::vector<std::pair<CUdeviceptr, int64_t>> &tensors,
                    int64_t bucketBytes, CUstream after);
  /// `root`'s data to every rank, in place.
  void broadcast(CUdeviceptr data, int64_t count, int root, CUstream after);
  /// Waits for every collective queued so far (at most the timeout; also
  /// under the host communicator's watchdog, which ends the process where a
  /// wait cannot be abandoned).
  void synchronize();

private:
  /// Names the collective about to be queued; throws once aborted.
  void begin(const char *what);
  /// `to` runs what is queued next after what `from` has queued so far.
  void order(CUstream from, CUevent event, CUstream to);
  /// NCCL's result of queueing the current collective.
  void check(ncclResult_t rc);
  template <typename Op> void queue(const char *what, CUstream after, Op op);
  void poll();

  Communicator &host_;
  gpu::CudaDriver &driver_;
  std::unique_ptr<gpu::NcclApi> nccl_;
  ncclComm_t comm_ = nullptr;
  CUstream stream_ = nullptr;
  CUevent before_ = nullptr, done_ = nullptr;
  /// The bucketed all-reduce's staging buckets and the events that say
  /// each is free again (its last unpack done).
  CUdeviceptr staging_[2] = {0, 0};
  int64_t stagingFloats_ = 0;
  CUevent free_[2] = {nullptr, nullptr};
  int rank_ = 0, size_ = 1;
  double timeout_;
  std::string last_ = "none"; ///< the last collective queued
};

} // namespace clip::dist

#endif // CLIP_RUNTIME_DIST_NCCLCOMMUNICATOR_H
