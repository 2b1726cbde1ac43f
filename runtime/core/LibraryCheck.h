//===- LibraryCheck.h - What a clip.so must satisfy before use --*- C++ -*-===//
//
// The loader trusts nothing in a clip.so it has not checked: the ELF layout
// before dlopen maps it (a segment past the end of a truncated file faults on
// first touch), and the descriptor after (every count, pointer, shape and
// offset the runtime indexes with). Each check returns what is wrong, or an
// empty string; the loader adds the file's name. Kept apart from dlopen so
// that a fuzzer can drive both (test/fuzz/FuzzLibrary.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CORE_LIBRARYCHECK_H
#define CLIP_RUNTIME_CORE_LIBRARYCHECK_H

#include "runtime/abi/ClipLibrary.h"

#include <cstdint>
#include <functional>
#include <string>

namespace clip::runtime {

/// Reads `size` bytes at `offset` of the file into `out`; false past its end
/// or on an error.
using ReadAt = std::function<bool(uint64_t offset, void *out, size_t size)>;

/// Why a file of `fileSize` bytes is not a 64-bit ELF image whose program
/// headers, segments and section table all lie inside it ("" when it is).
std::string elfLayoutProblem(uint64_t fileSize, const ReadAt &read);

/// Why `desc` (of this ABI version) is not a consistent description, naming
/// the function and field ("" when it is): counts and arrays agree, tensors
/// have known dtypes, ranks and sizes that do not overflow, outputs lie in the
/// arena, names are unique, CUDA steps refer to buffers and error slots that
/// exist.
std::string descriptorProblem(const ClipLibraryDesc &desc);

/// Bounds the check enforces: ranks, and elements a tensor may have (2^40:
/// 4 TiB of f32, so that byte sizes and offsets never overflow int64).
constexpr int32_t kMaxTensorRank = 8;
constexpr int64_t kMaxTensorElements = int64_t(1) << 40;

} // namespace clip::runtime

#endif // CLIP_RUNTIME_CORE_LIBRARYCHECK_H
