//===- NcclCommunicator.cpp - Collectives on device memory -----------------===//

#include "runtime/dist/NcclCommunicator.h"

#include "runtime/core/Library.h"

#include "fmt/format.h"

#include <chrono>
#include <cstring>
#include <thread>

namespace clip::dist {

using runtime::RuntimeError;

NcclCommunicator::NcclCommunicator(Communicator &host, gpu::CudaDriver &driver,
                                   double timeoutSeconds)
    : driver_(driver), nccl_(std::make_unique<gpu::NcclApi>()),
      rank_(host.rank()), size_(host.size()), timeout_(timeoutSeconds) {
  // Rank 0's id to every rank through the host's (bounded) collective.
  ncclUniqueId id{};
  if (rank_ == 0)
    nccl_->check(nccl_->ncclGetUniqueId(&id), "creating the job's unique id");
  const std::vector<std::string> ids =
      host.allGather(std::string(id.internal, sizeof id.internal));
  std::memcpy(id.internal, ids[0].data(), sizeof id.internal);
  nccl_->check(nccl_->ncclCommInitRank(&comm_, size_, id, rank_),
               fmt::format("joining rank {} of {} (ncclCommInitRank)", rank_,
                           size_));
  driver_.check(driver_.cuStreamCreate(&stream_, CU_STREAM_NON_BLOCKING),
                "creating the NCCL stream");
  driver_.check(driver_.cuEventCreate(&before_, CU_EVENT_DISABLE_TIMING),
                "creating an event");
  driver_.check(driver_.cuEventCreate(&done_, CU_EVENT_DISABLE_TIMING),
                "creating an event");
}

NcclCommunicator::~NcclCommunicator() {
  // Collectives still queued finish first (they may be waited for by the
  // other ranks); a communicator already aborted is gone.
  if (stream_)
    driver_.cuStreamSynchronize(stream_);
  if (comm_)
    nccl_->ncclCommDestroy(comm_);
  for (CUevent e : {before_, done_})
    if (e)
      driver_.cuEventDestroy(e);
  if (stream_)
    driver_.cuStreamDestroy(stream_);
}

std::string NcclCommunicator::describe() const {
  return fmt::format("{}, rank {} of {}", nccl_->describe(), rank_, size_);
}

template <typename Op>
void NcclCommunicator::queue(const char *what, CUstream after, Op op) {
  if (!comm_)
    throw RuntimeError(fmt::format("NCCL {}: the communicator was aborted "
                                   "after `{}` stalled",
                                   what, last_));
  last_ = what;
  driver_.check(driver_.cuEventRecord(before_, after),
                fmt::format("ordering NCCL {} after its inputs", what));
  driver_.check(driver_.cuStreamWaitEvent(stream_, before_, 0),
                fmt::format("ordering NCCL {} after its inputs", what));
  nccl_->check(op(reinterpret_cast<cudaStream_t>(stream_)),
               fmt::format("queueing {} (rank {} of {})", what, rank_, size_),
               comm_);
  driver_.check(driver_.cuEventRecord(done_, stream_),
                fmt::format("ordering the readers of NCCL {}", what));
  driver_.check(driver_.cuStreamWaitEvent(after, done_, 0),
                fmt::format("ordering the readers of NCCL {}", what));
}

void NcclCommunicator::allGather(CUdeviceptr mine, CUdeviceptr all,
                                 int64_t count, CUstream after) {
  queue("all-gather", after, [&](cudaStream_t s) {
    return nccl_->ncclAllGather(reinterpret_cast<const void *>(mine),
                                reinterpret_cast<void *>(all),
                                static_cast<size_t>(count), ncclFloat32, comm_,
                                s);
  });
}

void NcclCommunicator::reduceScatterSum(CUdeviceptr all, CUdeviceptr mine,
                                        int64_t count, CUstream after) {
  queue("reduce-scatter", after, [&](cudaStream_t s) {
    return nccl_->ncclReduceScatter(reinterpret_cast<const void *>(all),
                                    reinterpret_cast<void *>(mine),
                                    static_cast<size_t>(count), ncclFloat32,
                                    ncclSum, comm_, s);
  });
}

void NcclCommunicator::allReduceSum(CUdeviceptr data, int64_t count,
                                    CUstream after) {
  queue("all-reduce", after, [&](cudaStream_t s) {
    return nccl_->ncclAllReduce(reinterpret_cast<const void *>(data),
                                reinterpret_cast<void *>(data),
                                static_cast<size_t>(count), ncclFloat32,
                                ncclSum, comm_, s);
  });
}

void NcclCommunicator::broadcast(CUdeviceptr data, int64_t count, int root,
                                 CUstream after) {
  queue("broadcast", after, [&](cudaStream_t s) {
    return nccl_->ncclBroadcast(reinterpret_cast<const void *>(data),
                                reinterpret_cast<void *>(data),
                                static_cast<size_t>(count), ncclFloat32, root,
                                comm_, s);
  });
}

void NcclCommunicator::synchronize() {
  // NCCL never gives up on a peer by itself: poll, and abort past the
  // deadline (ncclCommAbort makes the stuck kernels return).
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    const CUresult rc = driver_.cuStreamQuery(stream_);
    if (rc == CUDA_SUCCESS)
      return;
    if (rc != CUDA_ERROR_NOT_READY)
      driver_.check(rc, fmt::format("waiting for NCCL {}", last_));
    ncclResult_t async = ncclSuccess;
    nccl_->check(nccl_->ncclCommGetAsyncError(comm_, &async),
                 "reading the communicator's state", comm_);
    const double waited = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count();
    if (async != ncclSuccess && async != ncclInProgress) {
      nccl_->ncclCommAbort(comm_);
      comm_ = nullptr;
      nccl_->check(async, fmt::format("in {} (rank {} of {})", last_, rank_,
                                      size_));
    }
    if (timeout_ > 0 && waited > timeout_) {
      nccl_->ncclCommAbort(comm_);
      comm_ = nullptr;
      throw RuntimeError(fmt::format(
          "NCCL {} did not finish within {} s on rank {} of {}: a rank died "
          "or stalls (the communicator is aborted)",
          last_, timeout_, rank_, size_));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

} // namespace clip::dist
