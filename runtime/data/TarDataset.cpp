//===- TarDataset.cpp - Tar index, WebDataset grouping, shard patterns ----===//
#include "runtime/data/TarDataset.h"

#include "runtime/io/Json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace clip::data {

namespace {

constexpr uint64_t kBlock = 512;

class File {
public:
  explicit File(const std::string &path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      throw DataError(
          fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    struct stat st;
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw DataError(fmt::format("{}: not a regular file", path));
    }
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~File() { ::close(fd_); }
  File(const File &) = delete;
  File &operator=(const File &) = delete;

  uint64_t size() const { return size_; }

  /// Reads exactly `length` bytes at `offset`; false when the file ends
  /// first.
  bool read(uint64_t offset, void *out, size_t length) const {
    auto *p = static_cast<char *>(out);
    while (length > 0) {
      const ssize_t got = ::pread(fd_, p, length, static_cast<off_t>(offset));
      if (got < 0) {
        if (errno == EINTR)
          continue;
        throw DataError(fmt::format("{}: read error at offset {}: {}", path_,
                                    offset, std::strerror(errno)));
      }
      if (got == 0)
        return false;
      p += got;
      offset += static_cast<uint64_t>(got);
      length -= static_cast<size_t>(got);
    }
    return true;
  }

private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

std::string fieldString(const uint8_t *p, size_t length) {
  size_t n = 0;
  while (n < length && p[n])
    ++n;
  return std::string(reinterpret_cast<const char *>(p), n);
}

/// An octal number field (leading spaces, ended by NUL or space), or a GNU
/// base-256 one (first byte's high bit set).
std::optional<uint64_t> numberField(const uint8_t *p, size_t length) {
  if (p[0] & 0x80) {
    if (p[0] != 0x80)
      return std::nullopt; // negative or too large
    uint64_t v = 0;
    for (size_t i = 1; i < length; ++i) {
      if (v >> 56)
        return std::nullopt;
      v = (v << 8) | p[i];
    }
    return v;
  }
  size_t i = 0;
  while (i < length && p[i] == ' ')
    ++i;
  uint64_t v = 0;
  bool digits = false;
  for (; i < length && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (v >> 60)
      return std::nullopt;
    v = v * 8 + (p[i] - '0');
    digits = true;
  }
  for (; i < length; ++i)
    if (p[i] != 0 && p[i] != ' ')
      return std::nullopt;
  if (!digits)
    return 0;
  return v;
}

struct PaxOverrides {
  std::optional<std::string> path;
  std::optional<uint64_t> size;
};

void parsePax(const std::string &data, const std::string &where,
              PaxOverrides &pax) {
  size_t at = 0;
  while (at < data.size()) {
    if (data[at] == '\0')
      break;
    const size_t space = data.find(' ', at);
    if (space == std::string::npos)
      throw DataError(
          fmt::format("{}: malformed pax record at byte {}", where, at));
    uint64_t length = 0;
    for (size_t i = at; i < space; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(data[i])) ||
          length > (1u << 30))
        throw DataError(fmt::format("{}: malformed pax record length at byte "
                                    "{}",
                                    where, at));
      length = length * 10 + (data[i] - '0');
    }
    if (length <= space - at + 1 || at + length > data.size() ||
        data[at + length - 1] != '\n')
      throw DataError(
          fmt::format("{}: malformed pax record at byte {}", where, at));
    const std::string record = data.substr(space + 1, at + length - space - 2);
    const size_t eq = record.find('=');
    if (eq == std::string::npos)
      throw DataError(
          fmt::format("{}: pax record without '=' at byte {}", where, at));
    const std::string key = record.substr(0, eq), value = record.substr(eq + 1);
    if (key == "path") {
      pax.path = value;
    } else if (key == "size") {
      uint64_t size = 0;
      for (char c : value) {
        if (!std::isdigit(static_cast<unsigned char>(c)) ||
            size > (uint64_t(1) << 58))
          throw DataError(fmt::format("{}: bad pax size '{}'", where, value));
        size = size * 10 + (c - '0');
      }
      pax.size = size;
    }
    at += length;
  }
}

bool isMetaName(const std::string &name) {
  // WebDataset skips "__...__" entries (e.g. __index__) at any level.
  const size_t slash = name.find_last_of('/');
  const std::string base =
      slash == std::string::npos ? name : name.substr(slash + 1);
  return base.size() >= 4 && base.compare(0, 2, "__") == 0 &&
         base.compare(base.size() - 2, 2, "__") == 0;
}

/// WebDataset's base_plus_ext: key up to the first dot of the base name.
bool splitKey(const std::string &name, std::string &key, std::string &ext) {
  const size_t slash = name.find_last_of('/');
  const size_t baseStart = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = name.find('.', baseStart);
  if (dot == std::string::npos || dot == baseStart)
    return false;
  key = name.substr(0, dot);
  ext = name.substr(dot + 1);
  for (char &c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return true;
}

struct MemberRef {
  std::string name;
  uint64_t offset = 0, size = 0;
};

struct TarSample {
  size_t shard = 0;
  std::string key;
  MemberRef image, text, json;
  bool hasJson = false;
  std::string imageExt;
};

class TarSource final : public SampleSource {
public:
  TarSource(std::vector<std::string> shards, std::vector<TarSample> samples)
      : shards_(std::move(shards)), samples_(std::move(samples)) {}

  size_t size() const override { return samples_.size(); }

  std::string where(size_t index) const override {
    if (index >= samples_.size())
      return fmt::format("tar sample {}", index);
    const TarSample &s = samples_[index];
    return fmt::format("{}: sample '{}' ({} at offset {})", shards_[s.shard],
                       s.key, s.image.name, s.image.offset);
  }

  Sample get(size_t index) const override {
    if (index >= samples_.size())
      throw DataError(fmt::format("tar sample {} out of range ({} samples)",
                                  index, samples_.size()));
    const TarSample &s = samples_[index];
    Sample sample;
    sample.where = where(index);
    if (s.imageExt == "webp")
      throw DataError(fmt::format("{}: WebP images are not supported (only "
                                  "PNG and JPEG; re-encode the shard)",
                                  sample.where));
    const File file(shards_[s.shard]);
    auto read = [&](const MemberRef &member) {
      return readMember(file, s, member);
    };
    sample.captions = captions(s, read);
    sample.caption = sample.captions.front();
    if (sample.captions.size() == 1)
      sample.captions.clear();
    sample.image = decodeImage(read(s.image), sample.where);
    return sample;
  }

  StoredSample stored(size_t index) const override {
    if (index >= samples_.size())
      throw DataError(fmt::format("tar sample {} out of range ({} samples)",
                                  index, samples_.size()));
    const TarSample &s = samples_[index];
    const File file(shards_[s.shard]);
    auto read = [&](const MemberRef &member) {
      return readMember(file, s, member);
    };
    StoredSample out;
    out.where = where(index);
    out.image = read(s.image);
    out.imageExt = s.imageExt;
    out.name = s.key;
    out.captions = captions(s, read);
    return out;
  }

  std::vector<std::string> captionsOf(size_t index) const override {
    if (index >= samples_.size())
      throw DataError(fmt::format("tar sample {} out of range ({} samples)",
                                  index, samples_.size()));
    const TarSample &s = samples_[index];
    const File file(shards_[s.shard]);
    return captions(
        s, [&](const MemberRef &member) { return readMember(file, s, member); });
  }

private:
  std::vector<uint8_t> readMember(const File &file, const TarSample &s,
                                  const MemberRef &member) const {
    std::vector<uint8_t> bytes(member.size);
    if (!file.read(member.offset, bytes.data(), bytes.size()))
      throw DataError(fmt::format("{}: member '{}' at offset {}: the shard is "
                                  "shorter than when it was indexed",
                                  shards_[s.shard], member.name, member.offset));
    return bytes;
  }

  /// The .json member's "captions" list (or a top-level list of strings)
  /// when the sample has one, else the .txt caption.
  template <typename Read>
  std::vector<std::string> captions(const TarSample &s, Read read) const {
    if (s.hasJson) {
      const std::vector<uint8_t> bytes = read(s.json);
      const std::string where = fmt::format(
          "{}: member '{}'", shards_[s.shard], s.json.name);
      io::JsonValue json;
      try {
        json = io::parseJson(std::string_view(
            reinterpret_cast<const char *>(bytes.data()), bytes.size()));
      } catch (const io::JsonError &e) {
        throw DataError(fmt::format("{}: {}", where, e.what()));
      }
      const io::JsonValue *list =
          json.isArray() ? &json : json.isObject() ? json.get("captions")
                                                   : nullptr;
      if (list) {
        std::vector<std::string> out;
        if (!list->isArray() || list->array.empty())
          throw DataError(fmt::format(
              "{}: \"captions\" must be a non-empty list of strings", where));
        for (const io::JsonValue &c : list->array) {
          if (!c.isString())
            throw DataError(fmt::format(
                "{}: \"captions\" must be a non-empty list of strings",
                where));
          out.push_back(c.text);
        }
        return out;
      }
      if (s.text.size == 0 && s.text.name.empty())
        throw DataError(fmt::format(
            "{}: no \"captions\" list and no .txt caption", where));
    }
    const std::vector<uint8_t> text = read(s.text);
    return {std::string(text.begin(), text.end())};
  }

  std::vector<std::string> shards_;
  std::vector<TarSample> samples_;
};

//===----------------------------------------------------------------------===//
// Brace expansion
//===----------------------------------------------------------------------===//

bool parseInt(const std::string &s, int64_t &value) {
  if (s.empty() || s.size() > 18)
    return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size())
    return false;
  value = 0;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])))
      return false;
    value = value * 10 + (s[i] - '0');
  }
  if (s[0] == '-')
    value = -value;
  return true;
}

std::vector<std::string> splitTopLevel(const std::string &body, char sep) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '{')
      ++depth;
    else if (body[i] == '}')
      --depth;
    else if (body[i] == sep && depth == 0) {
      parts.push_back(body.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(body.substr(start));
  return parts;
}

/// "a..b" or "a..b..step" as numbers or single characters; empty if not a
/// range.
std::vector<std::string> expandRange(const std::string &body,
                                     const std::string &pattern) {
  std::vector<std::string> bounds;
  for (size_t at = 0;;) {
    const size_t dots = body.find("..", at);
    bounds.push_back(body.substr(
        at, dots == std::string::npos ? std::string::npos : dots - at));
    if (dots == std::string::npos)
      break;
    at = dots + 2;
  }
  if (bounds.size() != 2 && bounds.size() != 3)
    return {};
  int64_t step = 1;
  if (bounds.size() == 3 && !parseInt(bounds[2], step))
    return {};
  step = step < 0 ? -step : step;
  if (step == 0)
    step = 1;
  int64_t first, last;
  std::vector<std::string> out;
  constexpr int64_t kMaxShards = 10'000'000;
  if (parseInt(bounds[0], first) && parseInt(bounds[1], last)) {
    size_t width = 0;
    for (const std::string &b : {bounds[0], bounds[1]}) {
      const std::string digits = b[0] == '-' ? b.substr(1) : b;
      if (digits.size() > 1 && digits[0] == '0')
        width = std::max(bounds[0].size(), bounds[1].size());
    }
    const int64_t count =
        (first <= last ? last - first : first - last) / step + 1;
    if (count > kMaxShards)
      throw DataError(fmt::format("{}: the range {{{}}} gives {} names",
                                  pattern, body, count));
    for (int64_t i = 0; i < count; ++i) {
      const int64_t v = first <= last ? first + i * step : first - i * step;
      std::string s = std::to_string(v < 0 ? -v : v);
      const size_t digitsWidth = width > 0 && v < 0 ? width - 1 : width;
      if (s.size() < digitsWidth)
        s.insert(0, digitsWidth - s.size(), '0');
      out.push_back(v < 0 ? "-" + s : s);
    }
    return out;
  }
  if (bounds[0].size() == 1 && bounds[1].size() == 1 &&
      std::isalpha(static_cast<unsigned char>(bounds[0][0])) &&
      std::isalpha(static_cast<unsigned char>(bounds[1][0]))) {
    const int a = bounds[0][0], b = bounds[1][0];
    for (int c = a; a <= b ? c <= b : c >= b; c += a <= b ? step : -step)
      out.push_back(std::string(1, static_cast<char>(c)));
    return out;
  }
  return {};
}

std::vector<std::string> braceExpand(const std::string &s,
                                     const std::string &pattern) {
  // The first top-level brace pair.
  size_t open = std::string::npos, close = std::string::npos;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{') {
      if (depth++ == 0)
        open = i;
    } else if (s[i] == '}') {
      if (depth == 0)
        throw DataError(
            fmt::format("{}: unmatched '}}' at character {}", pattern, i));
      if (--depth == 0) {
        close = i;
        break;
      }
    }
  }
  if (depth != 0)
    throw DataError(
        fmt::format("{}: unmatched '{{' at character {}", pattern, open));
  if (open == std::string::npos)
    return {s};
  const std::string prefix = s.substr(0, open),
                    body = s.substr(open + 1, close - open - 1),
                    suffix = s.substr(close + 1);
  std::vector<std::string> alternatives;
  const std::vector<std::string> parts = splitTopLevel(body, ',');
  if (parts.size() > 1) {
    for (const std::string &part : parts)
      for (std::string &e : braceExpand(part, pattern))
        alternatives.push_back(std::move(e));
  } else {
    alternatives = expandRange(body, pattern);
    if (alternatives.empty()) // "{abc}" stays as it is, as in bash
      for (std::string &e : braceExpand(body, pattern))
        alternatives.push_back("{" + e + "}");
  }
  std::vector<std::string> out;
  const std::vector<std::string> tails = braceExpand(suffix, pattern);
  for (const std::string &alternative : alternatives)
    for (const std::string &tail : tails)
      out.push_back(prefix + alternative + tail);
  return out;
}

} // namespace

std::vector<TarMember> listTar(const std::string &path) {
  const File file(path);
  std::vector<TarMember> members;
  std::optional<std::string> longName;
  PaxOverrides pax;
  uint64_t offset = 0;
  uint8_t block[kBlock];
  for (;;) {
    if (offset >= file.size())
      break; // no end-of-archive blocks: accepted, as Python's tarfile
    if (file.size() - offset < kBlock)
      throw DataError(fmt::format("{}: truncated tar: a header at offset {} "
                                  "needs 512 bytes, the file ends at {}",
                                  path, offset, file.size()));
    if (!file.read(offset, block, kBlock))
      throw DataError(
          fmt::format("{}: truncated tar at offset {}", path, offset));
    if (std::all_of(block, block + kBlock, [](uint8_t b) { return b == 0; }))
      break; // end of archive
    std::string name = fieldString(block, 100);
    // Checksum: the header's bytes with the checksum field read as spaces.
    uint64_t unsignedSum = 0;
    int64_t signedSum = 0;
    for (size_t i = 0; i < kBlock; ++i) {
      const uint8_t b = (i >= 148 && i < 156) ? ' ' : block[i];
      unsignedSum += b;
      signedSum += static_cast<int8_t>(b);
    }
    const std::optional<uint64_t> stored = numberField(block + 148, 8);
    if (!stored ||
        (*stored != unsignedSum && static_cast<int64_t>(*stored) != signedSum))
      throw DataError(fmt::format(
          "{}: corrupt tar header at offset {} (member '{}'): bad checksum{}",
          path, offset, name, offset == 0 ? " (not a tar file?)" : ""));
    const bool ustar = std::memcmp(block + 257, "ustar", 5) == 0;
    if (ustar && std::memcmp(block + 257, "ustar\0", 6) == 0) {
      const std::string prefix = fieldString(block + 345, 155);
      if (!prefix.empty())
        name = prefix + "/" + name;
    }
    std::optional<uint64_t> size = numberField(block + 124, 12);
    if (!size)
      throw DataError(fmt::format("{}: corrupt tar header at offset {} "
                                  "(member '{}'): bad size field",
                                  path, offset, name));
    const char type = static_cast<char>(block[156]);
    if (type != 'L' && type != 'K' && type != 'x' && type != 'g') {
      if (longName)
        name = *longName;
      if (pax.path)
        name = *pax.path;
      if (pax.size)
        size = pax.size;
    }
    const uint64_t dataOffset = offset + kBlock;
    if (*size > file.size() - dataOffset)
      throw DataError(fmt::format("{}: truncated tar: member '{}' (header at "
                                  "offset {}) has {} bytes of data at offset "
                                  "{}, the file ends at {}",
                                  path, name, offset, *size, dataOffset,
                                  file.size()));
    const std::string where =
        fmt::format("{}: member '{}' at offset {}", path, name, offset);
    switch (type) {
    case 'L': { // GNU long name of the next member
      if (*size > (1u << 20))
        throw DataError(fmt::format("{}: long name of {} bytes", where, *size));
      std::string data(*size, '\0');
      file.read(dataOffset, data.data(), data.size());
      longName = fieldString(reinterpret_cast<const uint8_t *>(data.data()),
                             data.size());
      break;
    }
    case 'x': { // pax extended header of the next member
      if (*size > (1u << 24))
        throw DataError(
            fmt::format("{}: pax header of {} bytes", where, *size));
      std::string data(*size, '\0');
      file.read(dataOffset, data.data(), data.size());
      parsePax(data, where, pax);
      break;
    }
    case 'K': // GNU long link name
    case 'g': // pax global header
      break;
    case '0':
    case '\0':
    case '7':
      members.push_back({name, offset, dataOffset, *size});
      [[fallthrough]];
    default: // directories, links, devices: skipped
      longName.reset();
      pax = PaxOverrides();
      break;
    }
    offset = dataOffset + (*size + kBlock - 1) / kBlock * kBlock;
  }
  return members;
}

std::unique_ptr<SampleSource>
openTarShards(const std::vector<std::string> &paths) {
  if (paths.empty())
    throw DataError("tar shards: no shard given");
  static const char *const kImageExts[] = {"jpg", "png", "jpeg", "webp"};
  std::vector<TarSample> samples;
  for (size_t shard = 0; shard < paths.size(); ++shard) {
    const std::string &path = paths[shard];
    struct Current {
      std::string key;
      std::vector<std::pair<std::string, MemberRef>> parts; // ext -> member
    };
    std::optional<Current> current;
    auto flush = [&]() {
      if (!current)
        return;
      TarSample sample;
      sample.shard = shard;
      sample.key = current->key;
      bool hasText = false, hasImage = false;
      for (const auto &[ext, member] : current->parts)
        if (ext == "txt") {
          sample.text = member;
          hasText = true;
        } else if (ext == "json") {
          // May hold a "captions" list (read on get()).
          sample.json = member;
          sample.hasJson = true;
          hasText = true;
        }
      for (const char *imageExt : kImageExts) {
        for (const auto &[ext, member] : current->parts)
          if (ext == imageExt) {
            sample.image = member;
            sample.imageExt = ext;
            hasImage = true;
            break;
          }
        if (hasImage)
          break;
      }
      // OpenCLIP's filter_no_caption_or_no_image.
      if (hasText && hasImage)
        samples.push_back(std::move(sample));
      current.reset();
    };
    for (const TarMember &member : listTar(path)) {
      if (isMetaName(member.name))
        continue;
      std::string key, ext;
      if (!splitKey(member.name, key, ext))
        continue;
      if (!current || current->key != key) {
        flush();
        current = Current{key, {}};
      }
      for (const auto &part : current->parts)
        if (part.first == ext)
          throw DataError(fmt::format(
              "{}: member '{}' at offset {}: sample '{}' already has a '{}' "
              "member ('{}')",
              path, member.name, member.headerOffset, key, ext,
              part.second.name));
      current->parts.emplace_back(
          ext, MemberRef{member.name, member.dataOffset, member.size});
    }
    flush();
  }
  return std::make_unique<TarSource>(paths, std::move(samples));
}

std::vector<std::string> expandShards(const std::string &pattern) {
  std::vector<std::string> out;
  size_t at = 0;
  for (;;) {
    const size_t sep = pattern.find("::", at);
    const std::string part = pattern.substr(
        at, sep == std::string::npos ? std::string::npos : sep - at);
    if (!part.empty())
      for (std::string &name : braceExpand(part, pattern))
        out.push_back(std::move(name));
    if (sep == std::string::npos)
      break;
    at = sep + 2;
  }
  if (out.empty())
    throw DataError(fmt::format("'{}': no shard names", pattern));
  return out;
}

} // namespace clip::data
