//===- NcclCommunicator.cpp - Collectives on device memory ----------------===//

#include "runtime/dist/NcclCommunicator.h"

#include "runtime/core/Library.h"

#include "fmt/format.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

namespace clip::dist {

using runtime::RuntimeError;

NcclCommunicator::NcclCommunicator(Communicator &host, gpu::CudaDriver &driver,
                                   double timeoutSeconds)
    : host_(host), driver_(driver), nccl_(std::make_unique<gpu::NcclApi>()),
      rank_(host.rank()), size_(host.size()), timeout_(timeoutSeconds) {
  // Rank 0's id to every rank through the host's (bounded) collective.
  ncclUniqueId id{};
  if (rank_ == 0)
    nccl_->check(nccl_->ncclGetUniqueId(&id), "creating the job's unique id");
  const std::vector<std::string> ids =
      host.allGather(std::string(id.internal, sizeof id.internal));
  std::memcpy(id.internal, ids[0].data(), sizeof id.internal);
  nccl_->check(
      nccl_->ncclCommInitRank(&comm_, size_, id, rank_),
      fmt::format("joining rank {} of {} (ncclCommInitRank)", rank_, size_));
  driver_.check(driver_.cuStreamCreate(&stream_, CU_STREAM_NON_BLOCKING),
                "creating the NCCL stream");
  driver_.check(driver_.cuEventCreate(&before_, CU_EVENT_DISABLE_TIMING),
                "creating an event");
  for (CUevent *e : {&done_, &free_[0], &free_[1]})
    driver_.check(driver_.cuEventCreate(e, CU_EVENT_DISABLE_TIMING),
                  "creating an event");
}

NcclCommunicator::~NcclCommunicator() {
  // Collectives still queued finish first (they may be waited for by the
  // other ranks); a communicator already aborted is gone.
  if (stream_)
    driver_.cuStreamSynchronize(stream_);
  if (comm_)
    nccl_->ncclCommDestroy(comm_);
  for (CUevent e : {before_, done_, free_[0], free_[1]})
    if (e)
      driver_.cuEventDestroy(e);
  for (CUdeviceptr p : staging_)
    if (p)
      driver_.cuMemFree(p);
  if (stream_)
    driver_.cuStreamDestroy(stream_);
}

std::string NcclCommunicator::describe() const {
  return fmt::format("{}, rank {} of {}", nccl_->describe(), rank_, size_);
}

void NcclCommunicator::begin(const char *what) {
  if (!comm_)
    throw RuntimeError(fmt::format("NCCL {}: the communicator was aborted "
                                   "after `{}` stalled",
                                   what, last_));
  last_ = what;
}

void NcclCommunicator::order(CUstream from, CUevent event, CUstream to) {
  driver_.check(driver_.cuEventRecord(event, from),
                fmt::format("ordering NCCL {}", last_));
  driver_.check(driver_.cuStreamWaitEvent(to, event, 0),
                fmt::format("ordering NCCL {}", last_));
}

void NcclCommunicator::check(ncclResult_t rc) {
  nccl_->check(rc,
               fmt::format("queueing {} (rank {} of {})", last_, rank_, size_),
               comm_);
}

template <typename Op>
void NcclCommunicator::queue(const char *what, CUstream after, Op op) {
  begin(what);
  order(after, before_, stream_); // after its inputs
  check(op(reinterpret_cast<cudaStream_t>(stream_)));
  order(stream_, done_, after); // before its readers
}

void NcclCommunicator::allGather(CUdeviceptr mine, CUdeviceptr all,
                                 int64_t count, CUstream after) {
  queue("all-gather", after, [&](cudaStream_t s) {
    return nccl_->ncclAllGather(
        reinterpret_cast<const void *>(mine), reinterpret_cast<void *>(all),
        static_cast<size_t>(count), ncclFloat32, comm_, s);
  });
}

void NcclCommunicator::reduceScatterSum(CUdeviceptr all, CUdeviceptr mine,
                                        int64_t count, CUstream after) {
  queue("reduce-scatter", after, [&](cudaStream_t s) {
    return nccl_->ncclReduceScatter(
        reinterpret_cast<const void *>(all), reinterpret_cast<void *>(mine),
        static_cast<size_t>(count), ncclFloat32, ncclSum, comm_, s);
  });
}

void NcclCommunicator::allReduceSum(CUdeviceptr data, int64_t count,
                                    CUstream after) {
  queue("all-reduce", after, [&](cudaStream_t s) {
    return nccl_->ncclAllReduce(
        reinterpret_cast<const void *>(data), reinterpret_cast<void *>(data),
        static_cast<size_t>(count), ncclFloat32, ncclSum, comm_, s);
  });
}

void NcclCommunicator::allReduceSum(
    const std::vector<std::pair<CUdeviceptr, int64_t>> &tensors,
    int64_t bucketBytes, CUstream after) {
  begin("bucketed all-reduce");
  const int64_t floats = std::max<int64_t>(1, bucketBytes / 4);
  if (floats > stagingFloats_) {
    driver_.check(driver_.cuStreamSynchronize(stream_),
                  "waiting before growing the NCCL buckets");
    for (CUdeviceptr &p : staging_) {
      if (p)
        driver_.check(driver_.cuMemFree(p), "freeing an NCCL bucket");
      driver_.check(
          driver_.cuMemAlloc(&p, static_cast<size_t>(floats) * 4),
          fmt::format("allocating an NCCL bucket of {} bytes", floats * 4));
    }
    stagingFloats_ = floats;
    for (CUevent e : free_) // nothing to wait for in a new bucket
      driver_.check(driver_.cuEventRecord(e, stream_), "an event");
  }
  // A piece of a tensor in a bucket: (tensor address, bucket offset, count).
  struct Piece {
    CUdeviceptr at;
    int64_t offset, count;
  };
  std::vector<Piece> pieces;
  int64_t filled = 0;
  int bucket = 0;
  auto copy = [&](CUdeviceptr to, CUdeviceptr from, int64_t count,
                  CUstream on) {
    driver_.check(
        driver_.cuMemcpyDtoDAsync(to, from, static_cast<size_t>(count) * 4, on),
        "copying through an NCCL bucket");
  };
  auto send = [&] {
    if (filled == 0)
      return;
    const CUdeviceptr staging = staging_[bucket];
    order(after, before_, stream_); // after the packing
    check(nccl_->ncclAllReduce(
        reinterpret_cast<const void *>(staging),
        reinterpret_cast<void *>(staging), static_cast<size_t>(filled),
        ncclFloat32, ncclSum, comm_, reinterpret_cast<cudaStream_t>(stream_)));
    for (const Piece &p : pieces)
      copy(p.at, staging + p.offset * 4, p.count, stream_);
    driver_.check(driver_.cuEventRecord(free_[bucket], stream_), "an event");
    pieces.clear();
    filled = 0;
    bucket ^= 1;
  };
  for (const auto &[data, count] : tensors) {
    for (int64_t done = 0; done < count;) {
      if (filled == 0) // this bucket's last unpack must be done first
        driver_.check(driver_.cuStreamWaitEvent(after, free_[bucket], 0),
                      "waiting for an NCCL bucket");
      const int64_t take = std::min(count - done, floats - filled);
      const CUdeviceptr at = data + static_cast<CUdeviceptr>(done) * 4;
      copy(staging_[bucket] + filled * 4, at, take, after);
      pieces.push_back({at, filled, take});
      filled += take;
      done += take;
      if (filled == floats)
        send();
    }
  }
  send();
  order(stream_, done_, after); // before the readers
}

void NcclCommunicator::broadcast(CUdeviceptr data, int64_t count, int root,
                                 CUstream after) {
  queue("broadcast", after, [&](cudaStream_t s) {
    return nccl_->ncclBroadcast(
        reinterpret_cast<const void *>(data), reinterpret_cast<void *>(data),
        static_cast<size_t>(count), ncclFloat32, root, comm_, s);
  });
}

void NcclCommunicator::synchronize() {
  const std::string what = "NCCL " + last_;
  host_.guard(what.c_str(), [&] { poll(); });
}

void NcclCommunicator::poll() {
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
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (async != ncclSuccess && async != ncclInProgress) {
      nccl_->ncclCommAbort(comm_);
      comm_ = nullptr;
      nccl_->check(async,
                   fmt::format("in {} (rank {} of {})", last_, rank_, size_));
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
