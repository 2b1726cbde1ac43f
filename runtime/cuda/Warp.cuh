//===- Warp.cuh - Tensor-core and vector-memory wrappers (CUDA library) ---===//
//
// The warp-level instructions the tensor-core kernels use, each behind a
// small wrapper: on the device inline PTX, under the host emulator
// (HostEmulation.h) the emulator's model of the same instruction, which
// follows the PTX ISA's fragment layouts (tested against a plain matrix
// product in test/unit/cuda/WarpTest.cpp). Fragments are 32-bit registers
// holding two bf16 values, the lower-indexed one in the low half.
//
//  mmaBf16           mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
//  ldmatrix<N, T>    ldmatrix.sync.aligned.m8n8.x{1,2,4}{.trans}.shared.b16
//  cpAsync16/...     cp.async.cg.shared.global, commit_group, wait_group
//  load4/store4      128-bit loads and stores (float4, or 8 bf16 as uint4)
//
// Every lane of the warp must execute mmaBf16 and ldmatrix (.aligned).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_WARP_CUH
#define CLIP_RUNTIME_CUDA_WARP_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/Common.cuh"
#endif

namespace clip::cuda {

/// d = a b + c for one warp: a 16x16 row-major A (4 registers), a 16x8
/// column-major B (2 registers), f32 C and D (4 each).
__device__ inline void mmaBf16(float d[4], const unsigned a[4],
                               const unsigned b[2], const float c[4]) {
#ifdef __CUDACC__
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
               "{%10, %11, %12, %13};\n"
               : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]),
                 "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
#else
  emulation::mmaBf16(d, a, b, c);
#endif
}

/// N 8x8 matrices of 16-bit elements from shared memory into r[0..N):
/// lane 8m + i passes row i of matrix m (16 bytes, 16-byte aligned).
template <int N, bool Trans>
__device__ inline void ldmatrix(unsigned r[N], const void *row) {
#ifdef __CUDACC__
  const unsigned address = static_cast<unsigned>(__cvta_generic_to_shared(row));
  if constexpr (N == 1 && !Trans)
    asm volatile("ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%0}, [%1];\n"
                 : "=r"(r[0])
                 : "r"(address));
  else if constexpr (N == 1)
    asm volatile("ldmatrix.sync.aligned.m8n8.x1.trans.shared.b16 {%0}, "
                 "[%1];\n"
                 : "=r"(r[0])
                 : "r"(address));
  else if constexpr (N == 2 && !Trans)
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0, %1}, [%2];\n"
                 : "=r"(r[0]), "=r"(r[1])
                 : "r"(address));
  else if constexpr (N == 2)
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0, %1}, "
                 "[%2];\n"
                 : "=r"(r[0]), "=r"(r[1])
                 : "r"(address));
  else if constexpr (!Trans)
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 "
                 "{%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
  else
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 "
                 "{%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
#else
  emulation::ldmatrix<N, Trans>(r, row);
#endif
}

/// 16 bytes from global to shared memory, asynchronously: visible after
/// the cpAsyncWait that covers the group it was committed in.
__device__ inline void cpAsync16(void *shared, const void *global) {
#ifdef __CUDACC__
  const unsigned address =
      static_cast<unsigned>(__cvta_generic_to_shared(shared));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n"
               :
               : "r"(address), "l"(global));
#else
  emulation::cpAsync16(shared, global);
#endif
}
__device__ inline void cpAsyncCommit() {
#ifdef __CUDACC__
  asm volatile("cp.async.commit_group;\n" ::);
#else
  emulation::cpAsyncCommit();
#endif
}
/// Waits until at most `Pending` of this thread's groups are in flight.
template <int Pending> __device__ inline void cpAsyncWait() {
#ifdef __CUDACC__
  asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending));
#else
  emulation::cpAsyncWait(Pending);
#endif
}

/// 128-bit accesses (16-byte aligned).
__device__ inline float4 load4(const float *p) {
#ifndef __CUDACC__
  emulation::checkAligned(p, 16, "load4");
#endif
  return *reinterpret_cast<const float4 *>(p);
}
__device__ inline void store4(float *p, float4 v) {
#ifndef __CUDACC__
  emulation::checkAligned(p, 16, "store4");
#endif
  *reinterpret_cast<float4 *>(p) = v;
}
/// Eight bf16 values as four 32-bit words.
__device__ inline uint4 load8(const clip::bf16 *p) {
#ifndef __CUDACC__
  emulation::checkAligned(p, 16, "load8");
#endif
  return *reinterpret_cast<const uint4 *>(p);
}
__device__ inline void store8(clip::bf16 *p, uint4 v) {
#ifndef __CUDACC__
  emulation::checkAligned(p, 16, "store8");
#endif
  *reinterpret_cast<uint4 *>(p) = v;
}

/// Two f32 values as a bf16 pair (round to nearest even), `lo` in the low
/// half: an A or B fragment register.
__device__ inline unsigned packBf16(float lo, float hi) {
  return static_cast<unsigned>(clip::bf16(lo).bits) |
         (static_cast<unsigned>(clip::bf16(hi).bits) << 16);
}

/// The bf16 pair of a 32-bit word as f32 values (exact).
__device__ inline void unpackBf16(unsigned word, float &lo, float &hi) {
  lo = __int_as_float(static_cast<int>(word << 16));
  hi = __int_as_float(static_cast<int>(word & 0xffff0000u));
}

/// Over the four lanes of a group (lanes 4g..4g+3, which hold one row of
/// an mma accumulator tile): the maximum, and the sum, on every lane.
__device__ inline float groupMax(float v) {
  v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 1));
  return fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 2));
}
template <typename T> __device__ inline T groupSum(T v) {
  v += __shfl_xor_sync(0xffffffffu, v, 1);
  return v + __shfl_xor_sync(0xffffffffu, v, 2);
}

/// The sum of `v` over a full warp's 32 lanes, the same on every lane
/// (a butterfly: one fixed order of additions).
__device__ inline float warpSum(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_WARP_CUH
