//===- HostEmulation.h - Runs the CUDA device library on the CPU (tests) --===//
//
// Lets the device library compile as host C++17 and run on the CPU:
//
//   #include "runtime/cuda/HostEmulation.h"
//   #include "runtime/cuda/CudaKernels.cuh" // or one family, e.g. Gemm.cuh
//   clip::cuda::emulation::launch(grid, block,
//                                 [&] { clip::cuda::fill(p, n, 0.0f); });
//
// What it models, from the CUDA programming guide and the PTX ISA (not from
// our kernels):
// - A launch runs the grid's blocks one at a time in a shuffled order
//   (seeded; CLIPC_EMULATE_SEED), so a kernel that relies on an order of
//   blocks fails; a block is `block` std::threads (the same threads for
//   every block of the launch) and __syncthreads is a barrier among them.
//   threadIdx/blockIdx/blockDim/gridDim are thread_local. `__shared__`
//   becomes `static`: a static local is shared by the threads of the
//   running block, and since blocks (and launches) run one at a time
//   nothing else uses it meanwhile. Shared arrays are sized for the largest
//   block (kBlock), so any block size reuses them safely.
// - Warps: threads 32w..32w+31 of a block. The *_sync collectives
//   (__shfl_sync and its _up/_down/_xor forms, __ballot_sync, __any_sync,
//   __all_sync, __syncwarp, and the tensor-core wrappers of Warp.cuh) wait
//   for every lane their mask names. A collective that cannot complete is
//   reported, not deadlocked: a lane of the mask that returned, waits at
//   __syncthreads or is in another collective; a mask without the calling
//   lane or naming lanes past the block; a shuffle from an inactive lane.
//   The launch then throws std::runtime_error naming the collective, the
//   lanes, the block and thread.
// - Tensor cores (mma.sync.m16n8k16 bf16 -> f32, ldmatrix, cp.async) follow
//   the PTX ISA's fragment layouts; products are exact and each result is
//   rounded to f32 once (double accumulation): the hardware's own order of
//   accumulation is not specified, so tests bound the difference. cp.async
//   copies happen at the wait that covers them, so a read before the wait
//   sees the old data.
// - Atomics are GCC __atomic builtins. No memory model beyond barriers and
//   collectives, no performance model.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_HOSTEMULATION_H
#define CLIP_RUNTIME_CUDA_HOSTEMULATION_H

#ifdef __CUDACC__
#error "HostEmulation.h is for host compilers; CUDA compiles the library as is"
#endif

#include "runtime/cuda/EmulatedLaunch.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
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
#define __align__(n) __attribute__((aligned(n)))

namespace clip::cuda::emulation {

struct Dim3 {
  unsigned x = 0, y = 0, z = 0;
};

struct Block;
inline thread_local Block *currentBlock = nullptr;

} // namespace clip::cuda::emulation

inline thread_local clip::cuda::emulation::Dim3 threadIdx, blockIdx,
    blockDim{1, 1, 1}, gridDim{1, 1, 1};

inline void __syncthreads();
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

/// Thrown in every thread of a block when the launch fails; launch()
/// turns it into std::runtime_error with the first message.
struct Aborted {};

/// One running block: its barrier, its warps' collectives, what each
/// thread is doing (for the divergence checks).
struct Block {
  enum State : int { Running, AtBarrier, InCollective, Returned };
  struct Warp {
    unsigned mask = 0, arrived = 0; ///< the pending collective's lanes
    const char *op = nullptr;
    unsigned long long generation = 0;
    uint32_t words[32][16] = {}; ///< what each lane contributed
    /// Where each waiting lane wants every lane's words: the lane that
    /// completes the collective copies them there, so a lane that wakes
    /// late never sees a later collective's.
    uint32_t (*outputs[32])[16] = {};
    /// Wakes this warp's lanes only (a block-wide wake-up per collective
    /// costs every thread of the block a context switch).
    std::condition_variable done;
  };

  explicit Block(unsigned size)
      : size(size), warps((size + 31) / 32), state(size) {}

  const unsigned size;
  std::mutex mutex;                // guards everything below
  std::condition_variable changed; // the barrier
  std::vector<Warp> warps;
  std::vector<int> state;
  unsigned arrived = 0; // at the barrier
  unsigned long long barrierGeneration = 0;
  bool aborted = false;
  std::string error;

  [[noreturn]] void fail(std::unique_lock<std::mutex> &, std::string what) {
    if (!aborted) {
      aborted = true;
      error = what + " (block " + std::to_string(blockIdx.x) + ", thread " +
              std::to_string(threadIdx.x) + ")";
    }
    changed.notify_all();
    for (Warp &w : warps)
      w.done.notify_all();
    throw Aborted{};
  }
  void check(std::unique_lock<std::mutex> &lock) {
    if (aborted)
      throw Aborted{};
    (void)lock;
  }

  /// __syncthreads (and the end of the block, `returned`).
  void barrier(bool returned) {
    const unsigned t = threadIdx.x;
    std::unique_lock<std::mutex> lock(mutex);
    check(lock);
    state[t] = returned ? Returned : AtBarrier;
    const Warp &w = warps[t / 32];
    if (w.arrived && (w.mask >> (t % 32) & 1u) && !(w.arrived >> (t % 32) & 1u))
      fail(lock,
           std::string("divergent collective: lane ") + std::to_string(t % 32) +
               (returned ? " returned" : " reached __syncthreads") +
               " while lanes of mask " + hex(w.mask) + " wait in " + w.op);
    const unsigned long long generation = barrierGeneration;
    if (++arrived == size) {
      arrived = 0;
      ++barrierGeneration;
      for (int &st : state)
        if (st == AtBarrier || st == Returned)
          st = Running;
      changed.notify_all();
      return;
    }
    changed.wait(lock,
                 [&] { return aborted || barrierGeneration != generation; });
    check(lock);
  }

  /// A warp collective: lane threadIdx.x % 32 contributes `words` (up to
  /// 16) and, once all the lanes of `mask` have, gets every lane's in
  /// `out` (out[lane][i]).
  void collective(const char *op, unsigned mask, const uint32_t *words,
                  unsigned count, uint32_t (*out)[16]) {
    const unsigned t = threadIdx.x, lane = t % 32, base = t - lane;
    std::unique_lock<std::mutex> lock(mutex);
    check(lock);
    Warp &w = warps[t / 32];
    if (!(mask >> lane & 1u))
      fail(lock, std::string(op) + ": mask " + hex(mask) +
                     " does not name the calling lane " + std::to_string(lane));
    for (unsigned l = 0; l < 32; ++l)
      if (mask >> l & 1u) {
        if (base + l >= size)
          fail(lock, std::string(op) + ": mask " + hex(mask) + " names lane " +
                         std::to_string(l) + ", past the block's " +
                         std::to_string(size) + " threads");
        if (state[base + l] == AtBarrier || state[base + l] == Returned)
          fail(lock,
               std::string("divergent collective: ") + op + " with mask " +
                   hex(mask) + " while lane " + std::to_string(l) +
                   (state[base + l] == Returned ? " returned"
                                                : " waits at __syncthreads"));
      }
    // One pending collective per warp: lanes in another one (even with a
    // disjoint mask, which the GPU allows) are reported.
    if (w.arrived && (w.mask != mask || std::string(w.op) != op))
      fail(lock, std::string("divergent collective: ") + op + " with mask " +
                     hex(mask) + " while lanes " + hex(w.arrived) +
                     " wait in " + w.op + " with mask " + hex(w.mask));
    w.mask = mask;
    w.op = op;
    for (unsigned i = 0; i < count; ++i)
      w.words[lane][i] = words[i];
    w.outputs[lane] = out;
    w.arrived |= 1u << lane;
    state[t] = InCollective;
    if (w.arrived == mask) {
      for (unsigned l = 0; l < 32; ++l)
        if (mask >> l & 1u) {
          std::memcpy(w.outputs[l], w.words, sizeof w.words);
          state[base + l] = Running;
        }
      w.arrived = 0;
      ++w.generation;
      w.done.notify_all();
      return;
    }
    const unsigned long long generation = w.generation;
    w.done.wait(lock, [&] { return aborted || w.generation != generation; });
    check(lock);
  }

  static std::string hex(unsigned mask) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", mask);
    return text;
  }
};

/// The order blocks run in: a seeded shuffle (CLIPC_EMULATE_SEED).
inline std::vector<unsigned> blockOrder(unsigned grid) {
  std::vector<unsigned> order(grid);
  for (unsigned b = 0; b < grid; ++b)
    order[b] = b;
  const char *seed = std::getenv("CLIPC_EMULATE_SEED");
  std::mt19937 rng(seed ? static_cast<unsigned>(std::atoi(seed)) : 20261203u);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

struct AsyncCopy {
  void *dst;
  const void *src;
  unsigned bytes;
};
/// This thread's cp.async groups: the uncommitted copies, then the
/// committed groups oldest first.
inline thread_local std::vector<AsyncCopy> uncommittedCopies;
inline thread_local std::vector<std::vector<AsyncCopy>> committedCopies;

inline void completeCopies(size_t keep) {
  while (committedCopies.size() > keep) {
    for (const AsyncCopy &c : committedCopies.front())
      std::memcpy(c.dst, c.src, c.bytes);
    committedCopies.erase(committedCopies.begin());
  }
}

/// Runs `body` as a 1-D kernel of `grid` blocks of `block` threads: the
/// blocks in a shuffled order, each block's threads concurrently. Returns
/// when the whole grid has finished; throws std::runtime_error when a
/// collective could not complete.
template <class F> void launch(unsigned grid, unsigned block, F body) {
  if (grid == 0 || block == 0)
    return;
  Block state(block);
  const std::vector<unsigned> order = blockOrder(grid);
  auto worker = [&](unsigned t) {
    threadIdx = Dim3{t, 0, 0};
    blockDim = Dim3{block, 1, 1};
    gridDim = Dim3{grid, 1, 1};
    currentBlock = &state;
    try {
      for (unsigned b : order) {
        blockIdx = Dim3{b, 0, 0};
        body();
        // Copies never waited for complete by the end of the kernel.
        uncommittedCopies.clear();
        completeCopies(0);
        state.barrier(true); // the block ends before the next one starts
      }
    } catch (const Aborted &) {
      uncommittedCopies.clear();
      committedCopies.clear();
    }
    currentBlock = nullptr;
  };
  if (block == 1) {
    worker(0);
  } else {
    std::vector<std::thread> threads;
    threads.reserve(block);
    for (unsigned t = 0; t < block; ++t)
      threads.emplace_back(worker, t);
    for (std::thread &thread : threads)
      thread.join();
  }
  if (state.aborted)
    throw std::runtime_error("emulated launch: " + state.error);
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

inline void __syncthreads() {
  if (clip::cuda::emulation::currentBlock)
    clip::cuda::emulation::currentBlock->barrier(false);
}

// Warp collectives (CUDA's *_sync intrinsics), on 32-bit and 64-bit values.
namespace clip::cuda::emulation {

template <class T> struct Words {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8, "shuffles move 4 or 8 bytes");
  uint32_t w[2] = {0, 0};
  explicit Words(const T &v) { std::memcpy(w, &v, sizeof(T)); }
};

inline unsigned laneId() { return threadIdx.x % 32; }

/// Lane `src` of the collective, or the caller's own value when `src` is
/// outside its segment of `width` lanes (`inRange`).
template <class T>
T shuffle(const char *op, unsigned mask, T value, unsigned src, bool inRange) {
  Words<T> mine(value);
  Block *block = currentBlock;
  if (!block) // a test calling outside a launch: one lane
    return value;
  uint32_t all[32][16];
  block->collective(op, mask, mine.w, 2, all);
  if (!inRange)
    return value;
  if (!(mask >> src & 1u)) {
    std::unique_lock<std::mutex> lock(block->mutex);
    block->fail(lock, std::string(op) + ": lane " + std::to_string(laneId()) +
                          " reads lane " + std::to_string(src) +
                          ", which is not in mask " + Block::hex(mask) +
                          " (undefined)");
  }
  T result;
  std::memcpy(&result, all[src], sizeof(T));
  return result;
}

inline unsigned vote(const char *op, unsigned mask, int predicate) {
  const uint32_t word = predicate != 0;
  Block *block = currentBlock;
  if (!block)
    return predicate ? 1u : 0u;
  uint32_t all[32][16];
  block->collective(op, mask, &word, 1, all);
  unsigned ballot = 0;
  for (unsigned l = 0; l < 32; ++l)
    if ((mask >> l & 1u) && all[l][0])
      ballot |= 1u << l;
  return ballot;
}

} // namespace clip::cuda::emulation

template <class T>
inline T __shfl_sync(unsigned mask, T value, int srcLane, int width = 32) {
  using namespace clip::cuda::emulation;
  const unsigned lane = laneId(), segment = lane & ~unsigned(width - 1);
  return shuffle("__shfl_sync", mask, value,
                 segment + (unsigned(srcLane) & unsigned(width - 1)), true);
}
template <class T>
inline T __shfl_up_sync(unsigned mask, T value, unsigned delta,
                        int width = 32) {
  using namespace clip::cuda::emulation;
  const unsigned lane = laneId(), segment = lane & ~unsigned(width - 1);
  const bool inRange = lane - segment >= delta;
  return shuffle("__shfl_up_sync", mask, value, inRange ? lane - delta : lane,
                 inRange);
}
template <class T>
inline T __shfl_down_sync(unsigned mask, T value, unsigned delta,
                          int width = 32) {
  using namespace clip::cuda::emulation;
  const unsigned lane = laneId(), segment = lane & ~unsigned(width - 1);
  const bool inRange = lane - segment + delta < unsigned(width);
  return shuffle("__shfl_down_sync", mask, value, inRange ? lane + delta : lane,
                 inRange);
}
template <class T>
inline T __shfl_xor_sync(unsigned mask, T value, int laneMask, int width = 32) {
  using namespace clip::cuda::emulation;
  const unsigned lane = laneId(), segment = lane & ~unsigned(width - 1);
  const unsigned src = lane ^ unsigned(laneMask);
  const bool inRange = (src & ~unsigned(width - 1)) == segment;
  return shuffle("__shfl_xor_sync", mask, value, inRange ? src : lane, inRange);
}
inline unsigned __ballot_sync(unsigned mask, int predicate) {
  return clip::cuda::emulation::vote("__ballot_sync", mask, predicate);
}
inline int __any_sync(unsigned mask, int predicate) {
  return clip::cuda::emulation::vote("__any_sync", mask, predicate) != 0;
}
inline int __all_sync(unsigned mask, int predicate) {
  return clip::cuda::emulation::vote("__all_sync", mask, predicate) == mask;
}
inline void __syncwarp(unsigned mask = 0xffffffffu) {
  clip::cuda::emulation::vote("__syncwarp", mask, 0);
}

// Vector types (CUDA's built-ins) and what runtime/cuda/Warp.cuh's
// wrappers of the tensor-core instructions do, per the PTX ISA.
struct alignas(16) float4 {
  float x, y, z, w;
};
struct alignas(16) uint4 {
  unsigned x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) {
  return float4{x, y, z, w};
}

namespace clip::cuda::emulation {

/// Fails the launch (or throws, outside one) with `what`.
[[noreturn]] inline void fault(const std::string &what) {
  if (Block *block = currentBlock) {
    std::unique_lock<std::mutex> lock(block->mutex);
    block->fail(lock, what);
  }
  throw std::runtime_error("emulated device: " + what);
}

/// A vector access must be aligned to its size (the GPU faults otherwise).
inline void checkAligned(const void *p, unsigned bytes, const char *what) {
  if (reinterpret_cast<uintptr_t>(p) % bytes)
    fault(std::string(what) + ": address not aligned to " +
          std::to_string(bytes) + " bytes (misaligned address)");
}

inline float bf16Bits(uint32_t bits) {
  const uint32_t wide = (bits & 0xffffu) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof f);
  return f;
}

/// mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32: the warp's
/// D (16x8) = A (16x16) B (16x8) + C, with the fragments of the PTX ISA
/// ("Matrix Fragments for mma.m16n8k16 with floating point type"):
/// groupID = lane >> 2, tig = lane % 4;
///   A: a_i (register i / 2, low half first) at row groupID + 8 * ((i / 2) %
///      2), column 2 tig + (i % 2) + 8 * (i >= 4);
///   B: b_i at row 2 tig + (i % 2) + 8 * (i >= 2), column groupID;
///   C, D: c_i at row groupID + 8 * (i >= 2), column 2 tig + (i % 2).
/// Products are exact; each result is rounded to f32 once.
inline void mmaBf16(float d[4], const uint32_t a[4], const uint32_t b[2],
                    const float c[4]) {
  uint32_t mine[10];
  std::memcpy(mine, a, 16);
  std::memcpy(mine + 4, b, 8);
  std::memcpy(mine + 6, c, 16);
  uint32_t all[32][16];
  if (!currentBlock)
    fault("mma.sync outside a launch");
  currentBlock->collective("mma.sync.m16n8k16", 0xffffffffu, mine, 10, all);
  float A[16][16], B[16][8];
  for (unsigned l = 0; l < 32; ++l) {
    const unsigned g = l >> 2, t = l % 4;
    for (unsigned i = 0; i < 8; ++i)
      A[g + 8 * ((i / 2) % 2)][2 * t + i % 2 + 8 * (i >= 4)] =
          bf16Bits(all[l][i / 2] >> (16 * (i % 2)));
    for (unsigned i = 0; i < 4; ++i)
      B[2 * t + i % 2 + 8 * (i >= 2)][g] =
          bf16Bits(all[l][4 + i / 2] >> (16 * (i % 2)));
  }
  const unsigned g = laneId() >> 2, t = laneId() % 4;
  for (unsigned i = 0; i < 4; ++i) {
    const unsigned row = g + 8 * (i >= 2), col = 2 * t + i % 2;
    double sum = c[i];
    for (unsigned k = 0; k < 16; ++k)
      sum += static_cast<double>(A[row][k]) * B[k][col];
    d[i] = static_cast<float>(sum);
  }
}

/// ldmatrix.sync.aligned.m8n8.x{N}{.trans}.shared.b16: N 8x8 matrices of
/// 16-bit elements; lane 8m + r gives the address of row r of matrix m (16
/// bytes, 16-byte aligned). Register m of lane l holds, of matrix m, row
/// l / 4, columns 2 (l % 4) and + 1 (low half first); with .trans, column
/// l / 4, rows 2 (l % 4) and + 1.
template <int N, bool Trans>
inline void ldmatrix(uint32_t r[N], const void *row) {
  static_assert(N == 1 || N == 2 || N == 4, "ldmatrix loads 1, 2 or 4");
  if (laneId() < 8 * N)
    checkAligned(row, 16, "ldmatrix row");
  uint64_t address = reinterpret_cast<uintptr_t>(row);
  uint32_t mine[2];
  std::memcpy(mine, &address, sizeof mine);
  uint32_t all[32][16];
  if (!currentBlock)
    fault("ldmatrix outside a launch");
  currentBlock->collective(Trans ? "ldmatrix.trans" : "ldmatrix", 0xffffffffu,
                           mine, 2, all);
  auto rowOf = [&](unsigned lane) {
    uint64_t a;
    std::memcpy(&a, all[lane], sizeof a);
    return reinterpret_cast<const uint16_t *>(static_cast<uintptr_t>(a));
  };
  const unsigned g = laneId() >> 2, t = laneId() % 4;
  for (int m = 0; m < N; ++m) {
    uint32_t value = 0;
    for (unsigned j = 0; j < 2; ++j) {
      const uint16_t element =
          Trans ? rowOf(8 * m + 2 * t + j)[g] : rowOf(8 * m + g)[2 * t + j];
      value |= static_cast<uint32_t>(element) << (16 * j);
    }
    r[m] = value;
  }
}

/// cp.async.cg.shared.global (16 bytes): queued; it lands at the
/// cp.async.wait_group that covers its group.
inline void cpAsync16(void *shared, const void *global) {
  checkAligned(shared, 16, "cp.async destination");
  checkAligned(global, 16, "cp.async source");
  uncommittedCopies.push_back({shared, global, 16});
}
inline void cpAsyncCommit() {
  committedCopies.push_back(std::move(uncommittedCopies));
  uncommittedCopies.clear();
}
/// cp.async.wait_group N: at most the N most recent groups stay pending.
inline void cpAsyncWait(unsigned pending) { completeCopies(pending); }

} // namespace clip::cuda::emulation

#endif // CLIP_RUNTIME_CUDA_HOSTEMULATION_H
