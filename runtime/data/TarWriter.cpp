//===- TarWriter.cpp - Writing WebDataset tar shards ----------------------===//
#include "runtime/data/TarWriter.h"

#include "runtime/data/DataError.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace clip::data {

std::vector<uint8_t> tarHeader(const std::string &name, uint64_t size,
                               char type) {
  std::vector<uint8_t> block(512, 0);
  auto field = [&](size_t at, size_t width, const std::string &text) {
    std::memcpy(&block[at], text.data(), std::min(width, text.size()));
  };
  field(0, 100, name.substr(0, 99));
  field(100, 8, "0000644");
  field(108, 8, "0000000");
  field(116, 8, "0000000");
  field(124, 12, fmt::format("{:011o}", size));
  field(136, 12, "00000000000");
  block[156] = static_cast<uint8_t>(type);
  field(257, 6, "ustar");
  field(263, 2, "00");
  // The checksum is summed with its own field as spaces.
  std::memset(&block[148], ' ', 8);
  unsigned sum = 0;
  for (uint8_t b : block)
    sum += b;
  field(148, 8, fmt::format("{:06o}", sum));
  block[154] = 0;
  block[155] = ' ';
  return block;
}

TarWriter::TarWriter(std::string path)
    : path_(std::move(path)), temporary_(path_ + ".partial") {
  file_ = std::fopen(temporary_.c_str(), "wb");
  if (!file_)
    throw DataError(fmt::format("{}: cannot create: {}", temporary_,
                                std::strerror(errno)));
}

TarWriter::~TarWriter() {
  if (file_) {
    std::fclose(file_);
    std::remove(temporary_.c_str());
  }
}

void TarWriter::write(const void *data, size_t size) {
  if (size && std::fwrite(data, 1, size, file_) != size)
    throw DataError(
        fmt::format("{}: write error: {}", temporary_, std::strerror(errno)));
}

void TarWriter::header(const std::string &name, uint64_t size, char type) {
  if (name.size() > 99) {
    // pax: "<length> path=<name>\n", the length counting itself.
    const std::string body = " path=" + name + "\n";
    size_t length = body.size() + 1;
    while (std::to_string(length).size() + body.size() != length)
      ++length;
    const std::string record = std::to_string(length) + body;
    const std::vector<uint8_t> pax = tarHeader("PaxHeader", record.size(), 'x');
    write(pax.data(), pax.size());
    write(record.data(), record.size());
    const std::vector<uint8_t> pad((512 - record.size() % 512) % 512, 0);
    write(pad.data(), pad.size());
  }
  const std::vector<uint8_t> block = tarHeader(name, size, type);
  write(block.data(), block.size());
}

void TarWriter::add(const std::string &name, const std::vector<uint8_t> &bytes) {
  header(name, bytes.size(), '0');
  write(bytes.data(), bytes.size());
  const std::vector<uint8_t> pad((512 - bytes.size() % 512) % 512, 0);
  write(pad.data(), pad.size());
  ++members_;
}

void TarWriter::add(const std::string &name, const std::string &text) {
  add(name, std::vector<uint8_t>(text.begin(), text.end()));
}

void TarWriter::finish() {
  const std::vector<uint8_t> end(1024, 0);
  write(end.data(), end.size());
  if (std::fflush(file_) != 0 || ::fsync(fileno(file_)) != 0)
    throw DataError(
        fmt::format("{}: write error: {}", temporary_, std::strerror(errno)));
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0)
    throw DataError(fmt::format("{}: cannot rename into place: {}", path_,
                                std::strerror(errno)));
}

} // namespace clip::data
