//===- LibraryCheck.cpp - What a clip.so must satisfy before use ----------===//

#include "runtime/core/LibraryCheck.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string_view>

namespace clip::runtime {

std::string elfLayoutProblem(uint64_t fileSize, const ReadAt &read) {
  Elf64_Ehdr header;
  if (!read(0, &header, sizeof header) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64)
    return "no 64-bit ELF header";
  // Each extent is offset + count * size in 128 bits: header fields are
  // 64-bit and a corrupt one must not wrap around to a small end.
  unsigned __int128 end = sizeof header;
  auto extent = [&](uint64_t offset, uint64_t count, uint64_t size) {
    const unsigned __int128 e = (unsigned __int128)offset + (unsigned __int128)count * size;
    if (e > end)
      end = e;
  };
  extent(header.e_shoff, header.e_shnum, header.e_shentsize);
  extent(header.e_phoff, header.e_phnum, header.e_phentsize);
  auto tooShort = [&] {
    return fmt::format("{} bytes, its headers describe {}", fileSize,
                       end > ~uint64_t(0) ? std::string("more than 2^64")
                                          : std::to_string(uint64_t(end)));
  };
  if (end > fileSize)
    return tooShort();
  if (header.e_phnum == 0)
    return "no program headers";
  if (header.e_phentsize != sizeof(Elf64_Phdr))
    return fmt::format("program headers of {} bytes (not {})",
                       header.e_phentsize, sizeof(Elf64_Phdr));
  for (uint64_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    if (!read(header.e_phoff + i * sizeof segment, &segment, sizeof segment))
      return fmt::format("program header {} cannot be read", i);
    extent(segment.p_offset, 1, segment.p_filesz);
  }
  return end > fileSize ? tooShort() : "";
}

namespace {

/// The first problem found, formatted once.
class Problems {
public:
  template <typename... Args>
  bool fail(fmt::format_string<Args...> format, Args &&...args) {
    if (first_.empty())
      first_ = fmt::format(format, std::forward<Args>(args)...);
    return false;
  }
  std::string take() { return std::move(first_); }
  bool ok() const { return first_.empty(); }

private:
  std::string first_;
};

bool known(int32_t dtype, bool bf16) {
  return dtype == CLIP_F32 || dtype == CLIP_I64 || dtype == CLIP_BOOL ||
         (bf16 && dtype == CLIP_BF16);
}

/// A count and the array it sizes: non-negative, bounded, and an array when
/// non-zero.
bool checkArray(Problems &p, std::string_view where, std::string_view what,
                int64_t count, const void *array, int64_t most) {
  if (count < 0 || count > most)
    return p.fail("{}: {} {} (expected 0 to {})", where, count, what, most);
  if (count > 0 && !array)
    return p.fail("{}: {} {} but no array of them", where, count, what);
  return true;
}

/// A tensor list of one function; outputs must also lie in the arena.
void checkTensors(Problems &p, std::string_view fn, std::string_view what,
                  const ClipTensorDesc *tensors, int32_t count,
                  int64_t arenaBytes) {
  std::set<std::string_view> names;
  for (int32_t i = 0; i < count && p.ok(); ++i) {
    const ClipTensorDesc &t = tensors[i];
    const std::string where = fmt::format("@{}: {} {}", fn, what, i);
    if (!t.name)
      return (void)p.fail("{}: no name", where);
    if (!names.insert(t.name).second)
      return (void)p.fail("{} `{}`: the name is used twice", where, t.name);
    if (!known(t.dtype, false))
      return (void)p.fail("{} `{}`: unknown dtype {}", where, t.name, t.dtype);
    if (t.rank < 0 || t.rank > kMaxTensorRank)
      return (void)p.fail("{} `{}`: rank {} (expected 0 to {})", where, t.name,
                          t.rank, kMaxTensorRank);
    if (t.rank > 0 && !t.shape)
      return (void)p.fail("{} `{}`: rank {} but no shape", where, t.name,
                          t.rank);
    int64_t elements = 1;
    for (int32_t d = 0; d < t.rank; ++d) {
      const int64_t dim = t.shape[d];
      if (dim < 0 || (dim > 0 && elements > kMaxTensorElements / dim))
        return (void)p.fail("{} `{}`: dimension {} is {} (negative, or more "
                            "than 2^40 elements in all)",
                            where, t.name, d, dim);
      elements *= dim;
    }
    if (arenaBytes < 0)
      continue; // parameters and inputs are bound, not in the arena
    const int64_t bytes = elements * (t.dtype == CLIP_I64    ? 8
                                      : t.dtype == CLIP_BOOL ? 1
                                                             : 4);
    if (t.arenaOffset < 0 || t.arenaOffset > arenaBytes - bytes)
      return (void)p.fail("{} `{}`: {} bytes at arena offset {}, outside the "
                          "arena of {} bytes",
                          where, t.name, bytes, t.arenaOffset, arenaBytes);
  }
}

void checkBuffer(Problems &p, std::string_view where, std::string_view which,
                 const ClipBufferRef &ref, const ClipFunctionDesc &f,
                 bool optional) {
  const int64_t arena = std::max(f.arenaBytes, f.cudaArenaBytes);
  switch (ref.space) {
  case CLIP_SPACE_NONE:
    if (!optional)
      p.fail("{}: no {} operand", where, which);
    return;
  case CLIP_SPACE_ARENA:
    if (ref.byteOffset < 0 || ref.byteOffset >= arena)
      p.fail("{}: {} at arena offset {}, outside the arena of {} bytes",
             where, which, ref.byteOffset, arena);
    return;
  case CLIP_SPACE_PARAM:
  case CLIP_SPACE_INPUT: {
    const bool param = ref.space == CLIP_SPACE_PARAM;
    const int32_t count = param ? f.numParams : f.numInputs;
    if (ref.index < 0 || ref.index >= count || ref.byteOffset < 0)
      p.fail("{}: {} is {} {} at byte {} (it has {})", where, which,
             param ? "parameter" : "input", ref.index, ref.byteOffset, count);
    return;
  }
  default:
    p.fail("{}: {} in unknown space {}", where, which, ref.space);
  }
}

void checkCudaSteps(Problems &p, const ClipFunctionDesc &f) {
  if (!checkArray(p, fmt::format("@{}", f.name), "CUDA steps", f.numCudaSteps,
                  f.cudaSteps, 1 << 24))
    return;
  if (f.numErrorSlots < 0)
    return (void)p.fail("@{}: {} error slots", f.name, f.numErrorSlots);
  if (f.numCudaSteps > 0 && !f.cudaSource && !f.cudaCubin)
    return (void)p.fail("@{}: {} CUDA steps but no CUDA source", f.name,
                        f.numCudaSteps);
  if (f.cudaArenaBytes < 0)
    return (void)p.fail("@{}: device arena of {} bytes", f.name,
                        f.cudaArenaBytes);
  for (int32_t i = 0; i < f.numCudaSteps && p.ok(); ++i) {
    const ClipCudaStep &s = f.cudaSteps[i];
    const std::string where = fmt::format("@{}: CUDA step {}", f.name, i);
    if (!s.launch)
      return (void)p.fail("{}: no launch name", where);
    if (s.errorSlot < -1 || s.errorSlot >= f.numErrorSlots)
      return (void)p.fail("{} ({}): error slot {} (it has {})", where,
                          s.launch, s.errorSlot, f.numErrorSlots);
    if (s.kind == CLIP_CUDA_KERNEL) {
      // Launch bounds every CUDA device since sm_70 has: 1024 threads a
      // block, 227 KiB of shared memory a block (sm_90), 2^31 - 1 blocks.
      if (!s.kernel)
        return (void)p.fail("{} ({}): no kernel name", where, s.launch);
      if (s.grid < 1 || s.grid > 0x7fffffff || s.block < 1 || s.block > 1024 ||
          s.sharedBytes < 0 || s.sharedBytes > 227 * 1024)
        return (void)p.fail("{} ({}): {} blocks of {} threads with {} bytes "
                            "of shared memory cannot be launched",
                            where, s.launch, s.grid, s.block, s.sharedBytes);
    } else if (s.kind == CLIP_CUDA_GEMM) {
      const ClipCudaGemm &g = s.gemm;
      if (g.batch < 1 || g.m < 1 || g.n < 1 || g.k < 1)
        return (void)p.fail("{} ({}): GEMM of batch {}, m {}, n {}, k {}",
                            where, s.launch, g.batch, g.m, g.n, g.k);
      for (int32_t type : {g.typeA, g.typeB, g.typeC})
        if (type != CLIP_F32 && type != CLIP_BF16)
          return (void)p.fail("{} ({}): GEMM storage type {} (f32 or bf16 "
                              "expected)",
                              where, s.launch, type);
      checkBuffer(p, where, "a", g.a, f, false);
      checkBuffer(p, where, "b", g.b, f, false);
      checkBuffer(p, where, "c", g.c, f, false);
      checkBuffer(p, where, "bias", g.bias, f, true);
      checkBuffer(p, where, "residual", g.residual, f, true);
    } else {
      return (void)p.fail("{} ({}): unknown step kind {}", where, s.launch,
                          s.kind);
    }
  }
}

} // namespace

std::string descriptorProblem(const ClipLibraryDesc &desc) {
  Problems p;
  if (!desc.model || !desc.remat || !desc.precision || !desc.cpuIsa)
    p.fail("the descriptor lacks its model, remat, precision or CPU level");
  else if (desc.batchSize < 1)
    p.fail("batch size {}", desc.batchSize);
  else if (!(desc.lossEpsilon >= 0))
    p.fail("loss epsilon {}", desc.lossEpsilon);
  else
    checkArray(p, "the descriptor", "functions", desc.numFunctions,
               desc.functions, 1024);
  std::set<std::string_view> names;
  for (int32_t i = 0; i < desc.numFunctions && p.ok(); ++i) {
    const ClipFunctionDesc &f = desc.functions[i];
    if (!f.name || !*f.name) {
      p.fail("function {}: no name", i);
      break;
    }
    if (!names.insert(f.name).second) {
      p.fail("@{}: two functions have this name", f.name);
      break;
    }
    const std::string fn = fmt::format("@{}", f.name);
    if (f.arenaBytes < 0 || f.bufferBytes < 0 || f.peakLiveBytes < 0) {
      p.fail("{}: negative arena, buffer or peak size", fn);
      break;
    }
    constexpr int64_t most = 1 << 24;
    if (!checkArray(p, fn, "parameters", f.numParams, f.params, most) ||
        !checkArray(p, fn, "inputs", f.numInputs, f.inputs, most) ||
        !checkArray(p, fn, "outputs", f.numOutputs, f.outputs, most) ||
        !checkArray(p, fn, "kernels", f.numKernels, f.kernels, most))
      break;
    checkTensors(p, f.name, "parameter", f.params, f.numParams, -1);
    checkTensors(p, f.name, "input", f.inputs, f.numInputs, -1);
    checkTensors(p, f.name, "output", f.outputs, f.numOutputs, f.arenaBytes);
    for (int32_t k = 0; k < f.numKernels && p.ok(); ++k)
      if (!f.kernels[k].name || !f.kernels[k].kind)
        p.fail("{}: kernel {} has no name or kind", fn, k);
    if (p.ok())
      checkCudaSteps(p, f);
  }
  return p.take();
}

} // namespace clip::runtime
