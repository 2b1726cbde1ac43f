//===- TarDataset.h - WebDataset tar shards -------------------------------===//
//
// A WebDataset shard is a tar file whose members are grouped into samples by
// key: "dir/abc.jpg" and "dir/abc.txt" are the members "jpg" and "txt" of
// sample "dir/abc" (the key runs to the first dot of the base name, the rest
// is the extension, lower-cased; a new sample starts whenever the key
// changes, as WebDataset's group_by_keys). As OpenCLIP's pipeline, the image
// is the first of jpg, png, jpeg, webp present, the caption is txt, and
// samples lacking either are left out; WebP is refused on get() with a clear
// message. Several captions: a json member holding a "captions" list of
// strings (or being one) gives them all, ahead of txt (a json without the
// list, such as LAION's metadata, leaves txt the caption). Names like "__meta__" and non-regular members (directories, links)
// are skipped.
//
// Formats: POSIX ustar (with its name prefix), GNU (long names in 'L'
// members, base-256 sizes) and pax ('x' headers: path and size; 'g' ignored),
// which covers Python's tarfile and GNU tar. Every header's checksum is
// checked. openTarShards reads only the headers (the index of offsets);
// image and caption bytes are read on get(). A truncated or corrupt shard is
// a DataError naming the shard, the member and its offset.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_TARDATASET_H
#define CLIP_RUNTIME_DATA_TARDATASET_H

#include "runtime/data/Sample.h"

#include <memory>
#include <string>
#include <vector>

namespace clip::data {

/// One regular member of a tar file: its name and where its data lies.
struct TarMember {
  std::string name;
  uint64_t headerOffset = 0, dataOffset = 0, size = 0;
};

/// The regular members of the tar file `path`, in order.
std::vector<TarMember> listTar(const std::string &path);

/// Samples of every shard, shard after shard.
std::unique_ptr<SampleSource>
openTarShards(const std::vector<std::string> &paths);

/// WebDataset's shard lists: brace expansion ("data-{000..009}.tar": numeric
/// ranges keep the width of zero-padded bounds; "{a,b}" lists; "{0..10..2}"
/// steps; nesting and several braces) of each "::"-separated pattern.
std::vector<std::string> expandShards(const std::string &pattern);

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_TARDATASET_H
