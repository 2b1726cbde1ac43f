//===- FuzzLibrary.cpp - libFuzzer: the clip.so loader's checks -----------===//
//
// The two checks the loader makes before it trusts a clip.so
// (runtime/core/LibraryCheck.h), without dlopen: the first byte picks one.
//  - even: the rest is an ELF file. What elfLayoutProblem accepts must have
//    its program headers and every segment inside the file (checked here
//    again, in 128-bit arithmetic), so that dlopen cannot map past its end.
//  - odd: the rest builds a descriptor (counts and arrays that agree, as
//    in a real image; null pointers, odd dtypes, ranks, shapes, offsets and
//    CUDA steps as the bytes say). What descriptorProblem accepts must be
//    safe to use the way the runtime does: sizes computed without overflow
//    (UBSan), outputs inside the arena, step operands that exist.
//
//===----------------------------------------------------------------------===//
#include "runtime/core/Library.h"
#include "runtime/core/LibraryCheck.h"

#include <elf.h>
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace {

using namespace clip::runtime;

void fuzzElf(const uint8_t *data, size_t size) {
  const std::string problem =
      elfLayoutProblem(size, [&](uint64_t offset, void *out, size_t n) {
        if (offset > size || n > size - offset)
          return false;
        std::memcpy(out, data + offset, n);
        return true;
      });
  if (!problem.empty())
    return;
  Elf64_Ehdr header;
  std::memcpy(&header, data, sizeof header);
  auto inside = [&](uint64_t offset, uint64_t bytes) {
    return (unsigned __int128)offset + bytes <= size;
  };
  if (!inside(header.e_phoff, uint64_t(header.e_phnum) * sizeof(Elf64_Phdr)))
    __builtin_trap();
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    std::memcpy(&segment, data + header.e_phoff + i * sizeof segment,
                sizeof segment);
    if (!inside(segment.p_offset, segment.p_filesz))
      __builtin_trap();
  }
}

/// Everything a descriptor points at, kept alive while it is checked.
struct Image {
  std::deque<std::string> strings;
  std::deque<std::vector<int64_t>> shapes;
  std::deque<std::vector<ClipTensorDesc>> tensors;
  std::deque<std::vector<ClipKernelDesc>> kernels;
  std::deque<std::vector<ClipCudaStep>> steps;
  std::vector<ClipFunctionDesc> functions;

  FuzzedDataProvider &in;
  explicit Image(FuzzedDataProvider &in) : in(in) {}

  const char *string() {
    if (in.ConsumeIntegralInRange(0, 15) == 0)
      return nullptr;
    return strings.emplace_back(in.ConsumeRandomLengthString(8)).c_str();
  }
  /// An array of 0-3 entries; its count as stored is that, or (rarely) a
  /// count with no array behind it, which the check must refuse.
  template <typename T, typename Make>
  const T *array(std::deque<std::vector<T>> &store, int32_t &count, Make make) {
    if (in.ConsumeIntegralInRange(0, 31) == 0) {
      count = in.ConsumeIntegral<int32_t>();
      return nullptr;
    }
    std::vector<T> &items = store.emplace_back();
    count = in.ConsumeIntegralInRange<int32_t>(0, 3);
    for (int32_t i = 0; i < count; ++i)
      items.push_back(make());
    return items.data();
  }
  ClipTensorDesc tensor() {
    ClipTensorDesc t{};
    t.name = string();
    t.dtype = in.ConsumeIntegralInRange<int32_t>(-1, 4);
    t.rank = in.ConsumeIntegralInRange<int32_t>(-1, kMaxTensorRank + 1);
    if (t.rank > 0 && in.ConsumeIntegralInRange(0, 31) != 0) {
      std::vector<int64_t> &shape = shapes.emplace_back();
      for (int32_t d = 0; d < t.rank; ++d)
        shape.push_back(in.ConsumeBool()
                            ? in.ConsumeIntegral<int64_t>()
                            : in.ConsumeIntegralInRange<int64_t>(-1, 1 << 12));
      t.shape = shape.data();
    }
    t.arenaOffset = in.ConsumeBool()
                        ? in.ConsumeIntegral<int64_t>()
                        : in.ConsumeIntegralInRange<int64_t>(-1, 1 << 16);
    return t;
  }
  ClipBufferRef buffer() {
    return {in.ConsumeIntegralInRange<int32_t>(-2, 3),
            in.ConsumeIntegralInRange<int32_t>(-1, 4),
            in.ConsumeIntegralInRange<int64_t>(-1, 1 << 16)};
  }
  ClipCudaStep step() {
    ClipCudaStep s{};
    s.kind = in.ConsumeIntegralInRange<int32_t>(-1, 2);
    s.launch = string();
    s.kernel = string();
    s.grid = in.ConsumeIntegral<int64_t>();
    s.block = in.ConsumeIntegralInRange<int32_t>(-1, 2048);
    s.errorSlot = in.ConsumeIntegralInRange<int32_t>(-2, 4);
    s.errorBound = in.ConsumeIntegral<int64_t>();
    s.sharedBytes = in.ConsumeIntegral<int32_t>();
    ClipCudaGemm &g = s.gemm;
    g.batch = in.ConsumeIntegralInRange<int64_t>(-1, 4);
    g.m = in.ConsumeIntegralInRange<int64_t>(-1, 64);
    g.n = in.ConsumeIntegralInRange<int64_t>(-1, 64);
    g.k = in.ConsumeIntegralInRange<int64_t>(-1, 64);
    g.a = buffer(), g.b = buffer(), g.c = buffer();
    g.bias = buffer(), g.residual = buffer();
    g.typeA = in.ConsumeIntegralInRange<int32_t>(-1, 4);
    g.typeB = in.ConsumeIntegralInRange<int32_t>(-1, 4);
    g.typeC = in.ConsumeIntegralInRange<int32_t>(-1, 4);
    return s;
  }
  ClipFunctionDesc function() {
    ClipFunctionDesc f{};
    f.name = string();
    f.arenaBytes = in.ConsumeIntegralInRange<int64_t>(-1, 1 << 16);
    f.bufferBytes = in.ConsumeIntegralInRange<int64_t>(-1, 1 << 16);
    f.peakLiveBytes = in.ConsumeIntegralInRange<int64_t>(-1, 1 << 16);
    f.params = array(tensors, f.numParams, [&] { return tensor(); });
    f.inputs = array(tensors, f.numInputs, [&] { return tensor(); });
    f.outputs = array(tensors, f.numOutputs, [&] { return tensor(); });
    f.kernels = array(kernels, f.numKernels, [&] {
      return ClipKernelDesc{string(), string()};
    });
    f.cudaSource = string();
    f.cudaSteps = array(steps, f.numCudaSteps, [&] { return step(); });
    f.numErrorSlots = in.ConsumeIntegralInRange<int32_t>(-1, 4);
    f.cudaArenaBytes = in.ConsumeIntegralInRange<int64_t>(-1, 1 << 16);
    return f;
  }
};

void fuzzDescriptor(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  Image image(in);
  ClipLibraryDesc desc{};
  desc.magic = CLIP_LIBRARY_MAGIC;
  desc.abiVersion = CLIP_LIBRARY_ABI_VERSION;
  desc.model = image.string();
  desc.remat = image.string();
  desc.precision = image.string();
  desc.cpuIsa = image.string();
  desc.batchSize = in.ConsumeIntegralInRange<int64_t>(-1, 1 << 20);
  desc.lossEpsilon = in.ConsumeFloatingPoint<double>();
  const int32_t count = in.ConsumeIntegralInRange<int32_t>(0, 3);
  for (int32_t i = 0; i < count; ++i)
    image.functions.push_back(image.function());
  desc.numFunctions = count;
  desc.functions = image.functions.data();
  if (in.ConsumeIntegralInRange(0, 31) == 0)
    desc.functions = nullptr;

  if (!descriptorProblem(desc).empty())
    return;
  // Accepted: use it as the runtime does.
  for (const ClipFunctionDesc &f : image.functions) {
    for (auto [list, n] : {std::pair{f.params, f.numParams},
                           std::pair{f.inputs, f.numInputs}})
      for (int32_t i = 0; i < n; ++i)
        (void)byteSize(list[i]), (void)shapeString(list[i]);
    for (int32_t i = 0; i < f.numOutputs; ++i) {
      const ClipTensorDesc &t = f.outputs[i];
      if (t.arenaOffset < 0 || t.arenaOffset + byteSize(t) > f.arenaBytes)
        __builtin_trap();
    }
    for (int32_t i = 0; i < f.numCudaSteps; ++i) {
      const ClipCudaStep &s = f.cudaSteps[i];
      if (s.errorSlot >= f.numErrorSlots || !s.launch)
        __builtin_trap();
      if (s.kind == CLIP_CUDA_GEMM)
        for (const ClipBufferRef &ref : {s.gemm.a, s.gemm.b, s.gemm.c})
          if ((ref.space == CLIP_SPACE_PARAM && ref.index >= f.numParams) ||
              (ref.space == CLIP_SPACE_INPUT && ref.index >= f.numInputs) ||
              ref.space == CLIP_SPACE_NONE)
            __builtin_trap();
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  if (data[0] % 2 == 0)
    fuzzElf(data + 1, size - 1);
  else
    fuzzDescriptor(data + 1, size - 1);
  return 0;
}
