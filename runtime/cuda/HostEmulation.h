//===- HostEmulation.h - Runs the CUDA device library on the CPU (tests) --===//
//
// Lets the device library compile as host C++17 and run on the CPU:
//
//   #include "runtime/cuda/HostEmulation.h"
//   #include "runtime/cuda/CudaKernels.cuh" // or one family, e.g. Gemm.cuh
//   clip::cuda::emulation::launch(grid, block,
//                                 [&] { clip::cuda::fill(p, n, 0.0f); });
//
// A launch runs the grid's blocks one after another; a block is `block`
// std::threads (the same threads for every block of the launch) and
// __syncthreads is a barrier among them. threadIdx/blockIdx/blockDim/gridDim
// are thread_local. `__shared__` becomes `static`: a static local is shared
// by the threads of the running block, and since blocks (and launches) run
// one at a time nothing else uses it meanwhile. Shared arrays are sized for
// the largest block (kBlock), so any block size reuses them safely.
// Atomics are GCC __atomic builtins. Not a GPU model: no warps, no memory
// model beyond the barriers; it finds indexing, reduction-order,
// grid-stride, barrier-placement and block-size bugs, not performance ones.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_HOSTEMULATION_H
#define CLIP_RUNTIME_CUDA_HOSTEMULATION_H

#ifdef __CUDACC__
#error "HostEmulation.h is for host compilers; CUDA compiles the library as is"
#endif

#include "runtime/cuda/EmulatedLaunch.h"

#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#define __device__
#define __global__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __shared__ static

namespace clip::cuda::emulation {

struct Dim3 {
  unsigned x = 0, y = 0, z = 0;
};

/// A reusable barrier for the threads of one block. Waiters sleep on a
/// condition variable: with many more threads than cores (and other
/// processes on them) that beats spinning or yielding.
class Barrier {
public:
  explicit Barrier(unsigned count) : count_(count) {}
  void arriveAndWait() {
    std::unique_lock<std::mutex> lock(mutex_);
    const unsigned long long generation = generation_;
    if (++arrived_ == count_) {
      arrived_ = 0;
      ++generation_;
      lock.unlock();
      ready_.notify_all();
      return;
    }
    ready_.wait(lock, [&] { return generation_ != generation; });
  }

private:
  std::mutex mutex_;
  std::condition_variable ready_;
  const unsigned count_;
  unsigned arrived_ = 0;
  unsigned long long generation_ = 0;
};

inline thread_local Barrier *currentBarrier = nullptr;

} // namespace clip::cuda::emulation

inline thread_local clip::cuda::emulation::Dim3 threadIdx, blockIdx,
    blockDim{1, 1, 1}, gridDim{1, 1, 1};

inline void __syncthreads() {
  if (clip::cuda::emulation::currentBarrier)
    clip::cuda::emulation::currentBarrier->arriveAndWait();
}
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

inline float __int_as_float(int v) {
  float f;
  std::memcpy(&f, &v, sizeof f);
  return f;
}
inline int __float_as_int(float f) {
  int v;
  std::memcpy(&v, &f, sizeof v);
  return v;
}
inline double __longlong_as_double(long long v) {
  double d;
  std::memcpy(&d, &v, sizeof d);
  return d;
}
inline long long __double_as_longlong(double d) {
  long long v;
  std::memcpy(&v, &d, sizeof v);
  return v;
}

/// Atomics: return the old value, as CUDA's.
template <typename T> inline T clipEmulatedAtomicAdd(T *address, T value) {
  T old;
  __atomic_load(address, &old, __ATOMIC_RELAXED);
  T desired;
  do {
    desired = old + value;
  } while (!__atomic_compare_exchange(address, &old, &desired, true,
                                      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
  return old;
}
inline float atomicAdd(float *address, float value) {
  return clipEmulatedAtomicAdd(address, value);
}
inline double atomicAdd(double *address, double value) {
  return clipEmulatedAtomicAdd(address, value);
}
inline int atomicAdd(int *address, int value) {
  return __atomic_fetch_add(address, value, __ATOMIC_ACQ_REL);
}
inline unsigned long long atomicAdd(unsigned long long *address,
                                    unsigned long long value) {
  return __atomic_fetch_add(address, value, __ATOMIC_ACQ_REL);
}
template <typename T> inline T atomicCAS(T *address, T compare, T value) {
  __atomic_compare_exchange_n(address, &compare, value, false, __ATOMIC_ACQ_REL,
                              __ATOMIC_ACQUIRE);
  return compare; // the old value (compare is updated on failure)
}
template <typename T> inline T atomicMin(T *address, T value) {
  T old = __atomic_load_n(address, __ATOMIC_RELAXED);
  while (value < old &&
         !__atomic_compare_exchange_n(address, &old, value, true,
                                      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
  }
  return old;
}
template <typename T> inline T atomicMax(T *address, T value) {
  T old = __atomic_load_n(address, __ATOMIC_RELAXED);
  while (value > old &&
         !__atomic_compare_exchange_n(address, &old, value, true,
                                      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
  }
  return old;
}
template <typename T> inline T atomicExch(T *address, T value) {
  return __atomic_exchange_n(address, value, __ATOMIC_ACQ_REL);
}

namespace clip::cuda::emulation {

/// Runs `body` as a 1-D kernel of `grid` blocks of `block` threads: the
/// blocks in turn (blockIdx.x = 0, 1, ...), each block's threads
/// concurrently. Returns when the whole grid has finished.
template <class F> void launch(unsigned grid, unsigned block, F body) {
  if (grid == 0 || block == 0)
    return;
  Barrier barrier(block);
  auto worker = [&](unsigned t) {
    threadIdx = Dim3{t, 0, 0};
    blockDim = Dim3{block, 1, 1};
    gridDim = Dim3{grid, 1, 1};
    currentBarrier = &barrier;
    for (unsigned b = 0; b < grid; ++b) {
      blockIdx = Dim3{b, 0, 0};
      body();
      barrier.arriveAndWait(); // the block ends before the next one starts
    }
    currentBarrier = nullptr;
  };
  if (block == 1) {
    worker(0);
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(block);
  for (unsigned t = 0; t < block; ++t)
    threads.emplace_back(worker, t);
  for (std::thread &thread : threads)
    thread.join();
}

template <class... A, std::size_t... I>
auto *copyArguments(void (*kernel)(A...), void *const *args,
                    std::index_sequence<I...>) {
  return new std::pair<void (*)(A...), std::tuple<std::decay_t<A>...>>(
      kernel, std::tuple<std::decay_t<A>...>(
                  *static_cast<std::decay_t<A> *>(args[I])...));
}

/// Binds `kernel` (for the emulated driver) to the values that `args`
/// (cuLaunchKernel's kernelParams: one pointer per parameter) point at now.
template <class... A>
BoundKernel bind(void (*kernel)(A...), void *const *args) {
  using Bound = std::pair<void (*)(A...), std::tuple<std::decay_t<A>...>>;
  BoundKernel bound;
  bound.state = copyArguments(kernel, args, std::index_sequence_for<A...>{});
  bound.run = [](void *state, unsigned grid, unsigned block) {
    auto *b = static_cast<Bound *>(state);
    launch(grid, block, [b] { std::apply(b->first, b->second); });
  };
  bound.release = [](void *state) { delete static_cast<Bound *>(state); };
  return bound;
}

} // namespace clip::cuda::emulation

#endif // CLIP_RUNTIME_CUDA_HOSTEMULATION_H
