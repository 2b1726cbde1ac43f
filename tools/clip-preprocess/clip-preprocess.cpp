//===- clip-preprocess.cpp - OpenCLIP's image transforms from the shell ---===//
//
//   clip-preprocess [options] IMAGE...           PNG/JPEG files
//   clip-preprocess --fashion-mnist DIR [options] Fashion-MNIST images
//
// Writes, per image i, "<i>/decoded" (U8 [H, W, C] as decoded), "<i>/pixels"
// (U8 [S, S, C], after resize and crop) and "<i>/image" (F32 [3, S, S], the
// model's input) to a safetensors file; --bench times decoding and
// preprocessing instead. With --train, "<i>/box" (I64 [top, left, height,
// width]) is the random crop taken.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Data.h"
#include "runtime/io/Safetensors.h"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

using namespace clip::data;
namespace io = clip::io;

namespace {

const char *usage = R"(usage: clip-preprocess [options] IMAGE...
       clip-preprocess --fashion-mnist DIR [options]

options:
  --size N              output size (default 224)
  --train               OpenCLIP's train transform (random resized crop,
                        scale 0.9..1) instead of the eval one
  --seed N              seed of the random crop (default 0)
  --fashion-mnist DIR   Fashion-MNIST images ("-": Debian's directory)
  --test-split          the test split (default: train)
  --count N             Fashion-MNIST images 0..N-1 (default 16)
  -o FILE               write the results (safetensors)
  --bench SECONDS       time decoding and preprocessing; print images/s
)";

int64_t parseNumber(const std::string &flag, const std::string &text) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0)
      return v;
  } catch (const std::exception &) {
  }
  throw std::invalid_argument(
      fmt::format("{} expects a non-negative integer, got '{}'", flag, text));
}

std::vector<uint8_t> asBytes(const void *data, size_t size) {
  const auto *p = static_cast<const uint8_t *>(data);
  return std::vector<uint8_t>(p, p + size);
}

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// CPU time of this thread: on a busy machine wall time says little.
double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         1e-9 * static_cast<double>(ts.tv_nsec);
}

int run(int argc, char **argv) {
  PreprocessConfig config;
  uint64_t seed = 0;
  std::string fashionDir, output;
  bool fashion = false, train = true;
  int64_t count = 16;
  double bench = 0;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::invalid_argument(fmt::format("{} needs a value", arg));
      return argv[++i];
    };
    if (arg == "--size")
      config.size = parseNumber(arg, value());
    else if (arg == "--train")
      config.randomResizedCrop = true;
    else if (arg == "--seed")
      seed = static_cast<uint64_t>(parseNumber(arg, value()));
    else if (arg == "--fashion-mnist") {
      fashion = true;
      fashionDir = value();
      if (fashionDir == "-")
        fashionDir.clear();
    } else if (arg == "--test-split")
      train = false;
    else if (arg == "--count")
      count = parseNumber(arg, value());
    else if (arg == "-o")
      output = value();
    else if (arg == "--bench")
      bench = std::stod(value());
    else if (arg == "-h" || arg == "--help") {
      fmt::print("{}", usage);
      return 0;
    } else if (!arg.empty() && arg[0] == '-')
      throw std::invalid_argument(
          fmt::format("unknown option {}\n{}", arg, usage));
    else
      files.push_back(arg);
  }
  if (!fashion && files.empty())
    throw std::invalid_argument(fmt::format("no image given\n{}", usage));

  // The images, decoded.
  std::vector<Image> images;
  std::vector<std::vector<uint8_t>> encoded; // files only, for --bench
  std::vector<std::string> names;
  if (fashion) {
    const LabeledImages data = loadFashionMnist(fashionDir, train);
    count = std::min(count, data.count);
    for (int64_t i = 0; i < count; ++i) {
      Image image;
      image.height = data.height;
      image.width = data.width;
      image.channels = 1;
      const uint8_t *p = data.pixels.data() + i * data.height * data.width;
      image.pixels.assign(p, p + data.height * data.width);
      images.push_back(std::move(image));
      names.push_back(fmt::format("fashion-mnist {}", i));
    }
  } else {
    for (const std::string &file : files) {
      encoded.push_back(readFileBytes(file));
      images.push_back(decodeImage(encoded.back(), file));
      names.push_back(file);
    }
  }

  const size_t floats = 3 * static_cast<size_t>(config.size) * config.size;
  std::vector<float> out(floats);
  if (bench > 0) {
    std::mt19937_64 rng(seed);
    // Images per second of CPU time (and of wall time).
    auto time = [&](bool decode) {
      int64_t done = 0;
      const auto start = std::chrono::steady_clock::now();
      const double cpuStart = cpuSeconds();
      while (seconds(start) < bench)
        for (size_t i = 0; i < images.size(); ++i, ++done) {
          if (decode) {
            const Image image = decodeImage(encoded[i], names[i]);
            preprocess(image, config, out.data(), &rng);
          } else {
            preprocess(images[i], config, out.data(), &rng);
          }
        }
      return std::pair<double, double>(done / (cpuSeconds() - cpuStart),
                                       done / seconds(start));
    };
    const auto [cpu, wall] = time(false);
    fmt::print("preprocess ({} images of {}x{} to {}x{}): {:.0f} images/s "
               "per core ({:.3f} ms each; {:.0f}/s wall)\n",
               images.size(), images[0].height, images[0].width, config.size,
               config.size, cpu, 1e3 / cpu, wall);
    if (!encoded.empty()) {
      const auto [cpuDecode, wallDecode] = time(true);
      fmt::print("decode + preprocess: {:.0f} images/s per core ({:.3f} ms "
                 "each; {:.0f}/s wall)\n",
                 cpuDecode, 1e3 / cpuDecode, wallDecode);
    }
    return 0;
  }

  io::SafetensorsWriter writer;
  for (size_t i = 0; i < images.size(); ++i) {
    const Image &image = images[i];
    std::mt19937_64 rng(seed + i);
    if (config.randomResizedCrop) { // the box transformImage will draw
      std::mt19937_64 copy = rng;
      const CropBox box = randomResizedCropBox(
          image.height, image.width, config.scaleMin, config.scaleMax, copy);
      const int64_t values[4] = {box.top, box.left, box.height, box.width};
      writer.add(fmt::format("{}/box", i), io::DType::I64, {4},
                 asBytes(values, sizeof values));
    }
    const Image square = transformImage(image, config, &rng);
    normalizeImage(square, config, out.data());
    writer.add(fmt::format("{}/decoded", i), io::DType::U8,
               {image.height, image.width, image.channels}, image.pixels);
    writer.add(fmt::format("{}/pixels", i), io::DType::U8,
               {square.height, square.width, square.channels}, square.pixels);
    writer.add(fmt::format("{}/image", i), io::DType::F32,
               {3, config.size, config.size},
               asBytes(out.data(), floats * sizeof(float)));
  }
  if (output.empty())
    throw std::invalid_argument("-o FILE is needed (or --bench)");
  writer.write(output);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception &error) {
    fmt::print(stderr, "clip-preprocess: {}\n", error.what());
    return 1;
  }
}
