//===- Embed.cpp - clip-run embed -----------------------------------------===//
//
// L2-normalized embeddings of a folder or list of images, or of lines of
// text, through the model's encoders, as safetensors or .npy.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Support.h"
#include "ZeroShot.h"

#include "runtime/data/Data.h"
#include "runtime/io/Safetensors.h"
#include "runtime/text/Tokenizer.h"
#include "runtime/train/Checkpoint.h"

#include "fmt/format.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <omp.h>

namespace clip::run {

using runtime::Executor;
using runtime::RuntimeError;

namespace {

/// [rows, dim] f32 as .npy (version 1.0, little-endian, C order).
void writeNpy(const std::string &path, const std::vector<float> &values,
              int64_t rows, int64_t dim) {
  std::string header = fmt::format(
      "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}", rows,
      dim);
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary);
    const uint16_t length = static_cast<uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    out.write(reinterpret_cast<const char *>(&length), 2);
    out << header;
    out.write(reinterpret_cast<const char *>(values.data()),
              static_cast<std::streamsize>(values.size() * sizeof(float)));
    if (!out)
      throw RuntimeError(fmt::format("cannot write {}", path));
  }
  std::filesystem::rename(partial, path);
}
} // namespace

int embedCommand(const std::vector<std::string> &args) {
  Flags flags = commonFlags();
  flags.value("params", "", "parameters or checkpoint (safetensors)")
      .value("images", "", "a folder of .png/.jpg files, or a list file")
      .value("texts", "", "a file with one text a line")
      .value("out", "embeddings.safetensors",
             "output: .safetensors (embeddings + names) or .npy");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run embed FILE.so --params CHECKPOINT (--images "
               "DIR|LIST | --texts FILE) [--out F]\nL2-normalized "
               "embeddings, one row per image or text, in input order.\n\n{}",
               flags.help());
    return 0;
  }
  if (positionals.size() != 1 || !flags.given("params") ||
      flags.given("images") == flags.given("texts"))
    throw RuntimeError("embed needs one clip.so file, --params, and one of "
                       "--images or --texts (see --help)");
  if (const int64_t threads = flags.integer("threads"); threads > 0)
    omp_set_num_threads(static_cast<int>(threads));
  runtime::Library library(positionals[0]);
  const bool images = flags.given("images");
  std::unique_ptr<Executor> encoder = makeExecutor(
      library, images ? "encode_image" : "encode_text", flags.str("device"));
  train::loadCheckpoint(flags.str("params"), *encoder, nullptr);
  int64_t dim = 0;
  std::vector<float> embeddings;
  std::vector<std::string> names;
  if (images) {
    ImageFiles files(flags.str("images"));
    embeddings =
        embedImages(*encoder, files, encoder->function().inputs[0].shape[2],
                    static_cast<int>(flags.integer("workers", 1)),
                    flags.on("skip-bad"), dim);
    names = files.files();
  } else {
    std::ifstream in(flags.str("texts"));
    if (!in)
      throw RuntimeError(fmt::format("{}: no such file", flags.str("texts")));
    for (std::string line; std::getline(in, line);)
      names.push_back(line);
    text::Tokenizer tokenizer(vocabularyPath(flags));
    embeddings = embedTexts(*encoder, tokenizer, names, dim);
  }
  const int64_t rows = static_cast<int64_t>(names.size());
  const std::string out = flags.str("out");
  if (out.size() > 4 && out.substr(out.size() - 4) == ".npy") {
    writeNpy(out, embeddings, rows, dim);
  } else {
    io::SafetensorsWriter writer;
    std::vector<uint8_t> bytes(embeddings.size() * sizeof(float));
    std::memcpy(bytes.data(), embeddings.data(), bytes.size());
    writer.add("embeddings", io::DType::F32, {rows, dim}, std::move(bytes));
    // Which row is which: the file or text of each row, in metadata.
    std::string index;
    for (const std::string &name : names)
      index += name + "\n";
    writer.setMetadata("rows", index);
    writer.write(out);
  }
  fmt::print("{} {} embeddings of dim {} -> {}\n", rows,
             images ? "image" : "text", dim, out);
  return 0;
}

} // namespace clip::run
