//===- MpiCommunicator.cpp - The job mpirun or srun started ---------------===//
//
// MPI moves host tensors: features (all-gather), their gradients
// (reduce-scatter) and the parameters' gradients (non-blocking all-reduce
// in buckets). Only the main thread calls MPI (MPI_THREAD_FUNNELED); a
// watchdog thread ends the process when a collective waits past the
// timeout, which makes the launcher end the whole job.
//
//===----------------------------------------------------------------------===//

#include "runtime/dist/Communicator.h"

#include "runtime/core/Library.h"

#include "fmt/format.h"

// The C API only (Open MPI and MPICH would pull in their C++ bindings).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace clip::dist {

namespace {

using Clock = std::chrono::steady_clock;

class MpiCommunicator final : public Communicator {
public:
  explicit MpiCommunicator(double timeoutSeconds) : timeout_(timeoutSeconds) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) !=
          MPI_SUCCESS)
        throw runtime::RuntimeError("MPI_Init_thread failed");
      finalize_ = true;
    }
    // Errors come back as codes (turned into exceptions), not aborts.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_,
                              MPI_INFO_NULL, &local),
          "MPI_Comm_split_type");
    MPI_Comm_rank(local, &localRank_);
    MPI_Comm_free(&local);
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    library_ = std::string(version, static_cast<size_t>(length));
    library_ = library_.substr(0, library_.find_first_of(",\n"));
    if (timeout_ > 0)
      watchdog_ = std::thread([this] { watch(); });
  }

  ~MpiCommunicator() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (watchdog_.joinable())
      watchdog_.join();
    if (finalize_)
      MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int localRank() const override { return localRank_; }
  std::string describe() const override {
    return fmt::format("MPI ({}), rank {} of {} (local {})", library_, rank_,
                       size_, localRank_);
  }

  void allGather(const float *mine, float *all, int64_t count) override {
    collective("MPI_Allgather", [&] {
      return MPI_Allgather(mine, intCount(count), MPI_FLOAT, all,
                           intCount(count), MPI_FLOAT, MPI_COMM_WORLD);
    });
  }

  void reduceScatterSum(const float *all, float *mine, int64_t count) override {
    collective("MPI_Reduce_scatter_block", [&] {
      return MPI_Reduce_scatter_block(all, mine, intCount(count), MPI_FLOAT,
                                      MPI_SUM, MPI_COMM_WORLD);
    });
  }

  void allReduceSum(double *data, int64_t count) override {
    collective("MPI_Allreduce", [&] {
      return MPI_Allreduce(MPI_IN_PLACE, data, intCount(count), MPI_DOUBLE,
                           MPI_SUM, MPI_COMM_WORLD);
    });
  }

  void allReduceSum(const std::vector<std::pair<float *, int64_t>> &tensors,
                    int64_t bucketBytes) override {
    // Buckets of whole tensors; each is reduced (MPI_Iallreduce) while the
    // next one is packed.
    struct Bucket {
      std::vector<float> data;
      size_t first = 0, last = 0; // tensors [first, last)
      MPI_Request request = MPI_REQUEST_NULL;
    };
    std::vector<Bucket> buckets;
    const int64_t target =
        std::max<int64_t>(1, bucketBytes / static_cast<int64_t>(sizeof(float)));
    for (size_t t = 0; t < tensors.size();) {
      Bucket b;
      b.first = t;
      int64_t count = 0;
      while (t < tensors.size() && (count == 0 || count < target)) {
        count += tensors[t].second;
        ++t;
      }
      b.last = t;
      b.data.resize(static_cast<size_t>(count));
      float *at = b.data.data();
      for (size_t k = b.first; k < b.last; ++k) {
        std::memcpy(at, tensors[k].first,
                    static_cast<size_t>(tensors[k].second) * sizeof(float));
        at += tensors[k].second;
      }
      check(MPI_Iallreduce(MPI_IN_PLACE, b.data.data(), intCount(count),
                           MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &b.request),
            "MPI_Iallreduce");
      buckets.push_back(std::move(b));
    }
    for (Bucket &b : buckets) {
      collective("MPI_Wait (gradient all-reduce)",
                 [&] { return MPI_Wait(&b.request, MPI_STATUS_IGNORE); });
      const float *at = b.data.data();
      for (size_t k = b.first; k < b.last; ++k) {
        std::memcpy(tensors[k].first, at,
                    static_cast<size_t>(tensors[k].second) * sizeof(float));
        at += tensors[k].second;
      }
    }
  }

  void reduceSum(float *data, int64_t count, int root) override {
    collective("MPI_Reduce", [&] {
      return MPI_Reduce(rank_ == root ? MPI_IN_PLACE : data, data,
                        intCount(count), MPI_FLOAT, MPI_SUM, root,
                        MPI_COMM_WORLD);
    });
  }

  void broadcast(float *data, int64_t count, int root) override {
    collective("MPI_Bcast", [&] {
      return MPI_Bcast(data, intCount(count), MPI_FLOAT, root, MPI_COMM_WORLD);
    });
  }

  std::vector<std::string> allGather(const std::string &value) override {
    int length = intCount(static_cast<int64_t>(value.size()));
    std::vector<int> lengths(static_cast<size_t>(size_));
    collective("MPI_Allgather", [&] {
      return MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT,
                           MPI_COMM_WORLD);
    });
    std::vector<int> offsets(static_cast<size_t>(size_));
    int64_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[r] = intCount(total);
      total += lengths[r];
    }
    std::string all(static_cast<size_t>(total), '\0');
    collective("MPI_Allgatherv", [&] {
      return MPI_Allgatherv(value.data(), length, MPI_CHAR, all.data(),
                            lengths.data(), offsets.data(), MPI_CHAR,
                            MPI_COMM_WORLD);
    });
    std::vector<std::string> out;
    for (int r = 0; r < size_; ++r)
      out.push_back(all.substr(static_cast<size_t>(offsets[r]),
                               static_cast<size_t>(lengths[r])));
    return out;
  }

  void guard(const char *what, const std::function<void()> &wait) override {
    collective(what, [&] {
      wait();
      return MPI_SUCCESS;
    });
  }

private:
  static int intCount(int64_t count) {
    if (count < 0 || count > INT_MAX)
      throw runtime::RuntimeError(fmt::format(
          "a collective of {} elements is beyond MPI's int counts", count));
    return static_cast<int>(count);
  }

  void check(int rc, const char *what) const {
    if (rc == MPI_SUCCESS)
      return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(rc, text, &length);
    throw runtime::RuntimeError(
        fmt::format("rank {}: {} failed: {}", rank_, what,
                    std::string(text, static_cast<size_t>(length))));
  }

  /// Runs a blocking MPI call under the watchdog's eye.
  template <typename Call> void collective(const char *what, Call call) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      inFlight_ = what;
      since_ = Clock::now();
    }
    const int rc = call();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      inFlight_ = nullptr;
    }
    check(rc, what);
  }

  void watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(200));
      if (!inFlight_)
        continue;
      const double waited =
          std::chrono::duration<double>(Clock::now() - since_).count();
      if (waited < timeout_)
        continue;
      // The main thread is inside MPI: leave without it. The launcher sees
      // a process exit and ends the others.
      std::fprintf(stderr,
                   "clip-run: rank %d of %d: %s has waited %.0f s for the "
                   "other ranks (one of them died or hangs; "
                   "--collective-timeout %.0f); ending the job\n",
                   rank_, size_, inFlight_, waited, timeout_);
      std::fflush(stderr);
      std::_Exit(3);
    }
  }

  double timeout_;
  int rank_ = 0, size_ = 1, localRank_ = 0;
  bool finalize_ = false;
  std::string library_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  const char *inFlight_ = nullptr;
  Clock::time_point since_;
  std::thread watchdog_;
};

} // namespace

std::unique_ptr<Communicator> connect(double timeoutSeconds) {
  if (!launchedAsJob())
    return std::make_unique<SingleProcess>();
  return std::make_unique<MpiCommunicator>(timeoutSeconds);
}

} // namespace clip::dist
