//===- NcclCollectives.cpp - NcclCommunicator against host arithmetic -----===//
//
// Run by every rank of an mpirun job on the emulated driver and NCCL (or on
// GPUs with NCCL's own library): device buffers of every rank filled from a
// seeded generator on a compute stream, each collective queued after that
// work, the results copied back on the same stream, compared with what the
// host computes from every rank's inputs (regenerated from their seeds).
// Checks that the stream ordering holds both ways (the emulated driver runs
// work only once something waits for it, so a collective not ordered after
// its inputs reads stale memory) and that a buffer outside device memory is
// refused with a clear error.
//   clip-nccl-collectives [--host-buffer]
//                                    the collectives (any rank count; on a
//                                    GPU with NCCL's library, 1 rank too)
//   clip-nccl-collectives --version  load NCCL, bind every function, print
//                                    its version (no GPU needed)
//
//===----------------------------------------------------------------------===//
#include "runtime/dist/NcclCommunicator.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace clip;

namespace {

std::vector<float> inputsOf(int rank, int64_t count) {
  std::mt19937 random(1234 + rank);
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  std::vector<float> v(static_cast<size_t>(count));
  for (float &x : v)
    x = value(random);
  return v;
}

struct Checker {
  int failures = 0;
  double worst = 0.0;
  void expect(const char *what, const std::vector<float> &got,
              const std::vector<double> &want) {
    double err = 0.0;
    for (size_t i = 0; i < want.size(); ++i)
      err = std::max(err, std::abs(got[i] - want[i]) /
                              std::max(1.0, std::abs(want[i])));
    worst = std::max(worst, err);
    if (err > 1e-6) { // f32 sums of a few values of magnitude <= 2
      ++failures;
      fmt::print(stderr, "FAIL: {}: relative error {:.3g}\n", what, err);
    }
  }
};

/// A device buffer with the pinned host buffer it is filled from and read
/// into on `stream`.
struct Buffer {
  gpu::CudaDriver &d;
  CUdeviceptr device = 0;
  float *host = nullptr;
  int64_t count;
  Buffer(gpu::CudaDriver &d, int64_t count) : d(d), count(count) {
    d.check(d.cuMemAlloc(&device, bytes()), "allocating");
    void *p = nullptr;
    d.check(d.cuMemAllocHost(&p, bytes()), "allocating pinned memory");
    host = static_cast<float *>(p);
  }
  ~Buffer() {
    d.cuMemFree(device);
    d.cuMemFreeHost(host);
  }
  size_t bytes() const { return static_cast<size_t>(count) * sizeof(float); }
  void upload(const std::vector<float> &v, CUstream s) {
    std::memcpy(host, v.data(), bytes());
    d.check(d.cuMemcpyHtoDAsync(device, host, bytes(), s), "uploading");
  }
  void download(CUstream s) {
    d.check(d.cuMemcpyDtoHAsync(host, device, bytes(), s), "downloading");
  }
  std::vector<float> values() const { return {host, host + count}; }
};

int run(bool hostBuffer) {
  std::unique_ptr<dist::Communicator> host = dist::connect(120);
  gpu::CudaDriver d;
  int devices = 0;
  d.check(d.cuDeviceGetCount(&devices), "counting GPUs");
  CUdevice device;
  d.check(d.cuDeviceGet(&device, host->localRank() % devices), "opening");
  CUcontext context;
  d.check(d.cuDevicePrimaryCtxRetain(&context, device), "a context");
  d.check(d.cuCtxSetCurrent(context), "selecting the context");
  CUstream compute;
  d.check(d.cuStreamCreate(&compute, CU_STREAM_NON_BLOCKING), "a stream");

  Checker check;
  {
    dist::NcclCommunicator nccl(*host, d, 60);
    const int n = nccl.size(), me = nccl.rank();
    const int64_t count = 1000 + 3; // not a multiple of anything
    std::vector<std::vector<float>> inputs;
    for (int r = 0; r < n; ++r)
      inputs.push_back(inputsOf(r, count * n));

    Buffer mine(d, count), all(d, count * n), scattered(d, count),
        reduced(d, count * n), root(d, count), inPlace(d, count * n);
    const std::vector<float> own(inputs[me].begin(),
                                 inputs[me].begin() + count);
    mine.upload(own, compute);
    all.upload(inputs[me], compute);
    reduced.upload(inputs[me], compute);
    root.upload(own, compute);
    inPlace.upload(std::vector<float>(static_cast<size_t>(count * n), 0.0f),
                   compute);
    // In place: this rank's slot of the gathered buffer holds its share.
    d.check(d.cuMemcpyDtoDAsync(inPlace.device + me * count * sizeof(float),
                                mine.device, mine.bytes(), compute),
            "placing");

    nccl.allGather(mine.device, all.device, count, compute);
    nccl.allGather(inPlace.device + me * count * sizeof(float), inPlace.device,
                   count, compute);
    nccl.reduceScatterSum(reduced.device, scattered.device, count, compute);
    nccl.allReduceSum(reduced.device, count * n, compute);
    nccl.broadcast(root.device, count, n - 1, compute);
    for (Buffer *b : {&all, &inPlace, &scattered, &reduced, &root})
      b->download(compute);
    nccl.synchronize();
    d.check(d.cuStreamSynchronize(compute), "waiting for the copies");

    std::vector<double> gathered, scatter(count, 0.0), sum(count * n, 0.0),
        fromRoot(inputs[n - 1].begin(), inputs[n - 1].begin() + count);
    for (int r = 0; r < n; ++r) {
      gathered.insert(gathered.end(), inputs[r].begin(),
                      inputs[r].begin() + count);
      for (int64_t i = 0; i < count * n; ++i)
        sum[i] += inputs[r][i];
      for (int64_t i = 0; i < count; ++i)
        scatter[i] += inputs[r][me * count + i];
    }
    check.expect("all-gather", all.values(), gathered);
    check.expect("all-gather in place", inPlace.values(), gathered);
    check.expect("reduce-scatter", scattered.values(), scatter);
    check.expect("all-reduce", reduced.values(), sum);
    check.expect("broadcast", root.values(), fromRoot);

    // Gradients in buckets: tensors of uneven sizes, one larger than a
    // bucket, others sharing one; twice (the second reuses the buckets).
    const std::vector<int64_t> sizes = {1, 700, 3, 2500, 64, 1000, 17};
    int64_t total = 0;
    for (int64_t size : sizes)
      total += size;
    Buffer grads(d, total);
    for (int round = 0; round < 2; ++round) {
      grads.upload(inputsOf(100 * round + me, total), compute);
      std::vector<std::pair<CUdeviceptr, int64_t>> tensors;
      int64_t offset = 0;
      for (int64_t size : sizes) {
        tensors.emplace_back(grads.device + offset * sizeof(float), size);
        offset += size;
      }
      std::reverse(tensors.begin(), tensors.end()); // the backward's order
      nccl.allReduceSum(tensors, 1024 * sizeof(float), compute);
      grads.download(compute);
      d.check(d.cuStreamSynchronize(compute), "waiting for the copies");
      std::vector<double> want(static_cast<size_t>(total), 0.0);
      for (int r = 0; r < n; ++r) {
        const std::vector<float> theirs = inputsOf(100 * round + r, total);
        for (int64_t i = 0; i < total; ++i)
          want[i] += theirs[i];
      }
      check.expect("bucketed all-reduce", grads.values(), want);
    }

    // A host buffer is not device memory: refused by name, before queueing
    // (the emulation's check; NCCL's own reaction is its business).
    std::vector<float> plain(static_cast<size_t>(count));
    if (hostBuffer)
      try {
        nccl.allReduceSum(reinterpret_cast<CUdeviceptr>(plain.data()), count,
                          compute);
        ++check.failures;
        fmt::print(stderr, "FAIL: a host buffer was taken\n");
      } catch (const std::exception &e) {
        if (!std::strstr(e.what(), "all-reduce")) {
          ++check.failures;
          fmt::print(stderr, "FAIL: the error names no collective: {}\n",
                     e.what());
        }
        if (me == 0)
          fmt::print("a host buffer: {}\n", e.what());
      }
    fmt::print("{}: all-gather (and in place), reduce-scatter, all-reduce, "
               "broadcast of {} floats a rank, a bucketed all-reduce: worst "
               "relative error {:.3g}; {}\n",
               nccl.describe(), count, check.worst,
               check.failures ? "FAILED" : "ok");
  }
  d.cuStreamDestroy(compute);
  return check.failures ? 1 : 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
      gpu::NcclApi nccl;
      fmt::print("{}\n", nccl.describe());
      return 0;
    }
    // --host-buffer: also check that a host buffer is refused.
    return run(argc == 2 && std::strcmp(argv[1], "--host-buffer") == 0);
  } catch (const std::exception &e) {
    fmt::print(stderr, "clip-nccl-collectives: {}\n", e.what());
    return 1;
  }
}
