//===- clip-run.cpp - Run a compiled clip.so ------------------------------===//
//
//   clip-run info clip.so            what the library holds: functions,
//                                    arena, kernels by kind, parameters
//   clip-run step clip.so [options]  run training steps on random (or given)
//                                    data and print loss and timing
//
// Links neither MLIR nor LLVM: clip-run and clip.so can be copied to another
// machine on their own.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "runtime/core/Executor.h"
#include "runtime/core/Library.h"
#include "runtime/gpu/CudaExecutor.h"
#include "runtime/io/Pretrained.h"
#include "runtime/io/Safetensors.h"
#include "runtime/train/Initialize.h"
#include "runtime/train/TrainStep.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

using namespace clip::runtime;
namespace io = clip::io;

namespace {

const char *usage = R"(usage:
  clip-run info FILE.so                  describe a compiled model
  clip-run step FILE.so [options]        run steps of a function (train_step)
  clip-run train FILE.so [options]       train (Fashion-MNIST, CSV or tar
                                         data; see clip-run train --help)
  clip-run eval FILE.so --params F       zero-shot accuracy, or retrieval
                                         R@1/5/10 with --csv/--tar
  clip-run eval FILE.so --params F --image-folder DIR
                                         zero-shot top-1/top-5 on one folder
                                         a class
  clip-run embed FILE.so --params F      embeddings of --images or --texts
  clip-run classify FILE.so --params F IMAGES... --labels "a,b,c"
                                         each image's top labels
  clip-run search FILE.so --params F --index EMB.safetensors --text "q"
                                         rank an index written by embed
  clip-run filter FILE.so --params F --csv|--tar D --min-score 0.3
                                         keep the pairs a model scores highly
  clip-run convert CHECKPOINT -o F       Hugging Face / torch.save / sharded
                                         checkpoints to our safetensors
  (--params takes any checkpoint convert reads; COMMAND --help for more)

step options:
  --device cpu|cuda     where to run (default cpu; cuda needs the NVIDIA
                        driver and a clip.so built with --target cuda|all)
  --function NAME       function to run (default train_step)
  --steps N             steps to run (default 1)
  --seed N              seed of the random parameters and data (default 0)
  --params FILE         parameters (safetensors, OpenCLIP names) instead of
                        a random initialization
  --inputs FILE         inputs (safetensors: image, text) instead of random
  --save-params FILE    write the parameters used (safetensors)
  --save-inputs FILE    write the inputs used (safetensors)
  --out FILE            write the last step's outputs (loss, grad/<param>)
)";

struct StepOptions {
  std::string function = "train_step", params, inputs, saveParams, saveInputs,
              out, device = "cpu";
  int64_t steps = 1;
  uint64_t seed = 0;
};

int64_t parseCount(const std::string &flag, const std::string &text) {
  try {
    size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size() && value >= 0)
      return value;
  } catch (const std::exception &) {
  }
  throw RuntimeError(
      fmt::format("{} wants a non-negative integer, got `{}`", flag, text));
}

/// Random images ~ N(0, 1); token rows: ids in [1, vocab-2], ended by the
/// highest id (CLIP's end-of-text is the argmax), zeros after.
void initInput(const ClipTensorDesc &desc, void *data, int64_t vocab,
               std::mt19937_64 &rng) {
  const int64_t count = elementCount(desc);
  if (desc.dtype == CLIP_F32) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (int64_t i = 0; i < count; ++i)
      static_cast<float *>(data)[i] = normal(rng);
    return;
  }
  auto *tokens = static_cast<int64_t *>(data);
  const int64_t length = desc.shape[desc.rank - 1];
  std::uniform_int_distribution<int64_t> id(1, std::max<int64_t>(1, vocab - 2));
  std::uniform_int_distribution<int64_t> end(1, length - 1);
  for (int64_t row = 0; row < count / length; ++row) {
    const int64_t eot = end(rng);
    for (int64_t t = 0; t < length; ++t)
      tokens[row * length + t] = t < eot ? id(rng) : t == eot ? vocab - 1 : 0;
  }
}

io::DType ioType(int32_t dtype) {
  return dtype == CLIP_I64    ? io::DType::I64
         : dtype == CLIP_BOOL ? io::DType::Bool
                              : io::DType::F32;
}

void bindFromFile(const std::string &path, const ClipTensorDesc *descs,
                  int32_t count, const std::function<void *(int32_t)> &storage,
                  const char *what) {
  io::SafetensorsFile file = io::readParameters(path);
  std::vector<io::ExpectedTensor> expected;
  for (int32_t i = 0; i < count; ++i)
    expected.push_back(
        {descs[i].name,
         std::vector<int64_t>(descs[i].shape, descs[i].shape + descs[i].rank)});
  // Parameter files may hold more (both towers, optimizer state); input
  // files must be exactly the function's inputs.
  const std::string problems = std::string(what) == "parameters"
                                   ? io::checkBinding(file, expected, nullptr)
                                   : io::checkBinding(file, expected);
  if (!problems.empty())
    throw RuntimeError(fmt::format("{} ({}): {}", path, what, problems));
  for (int32_t i = 0; i < count; ++i) {
    const io::TensorView *view = file.find(descs[i].name);
    if (view->dtype != ioType(descs[i].dtype))
      throw RuntimeError(fmt::format("{}: `{}` is {}, the model wants {}", path,
                                     descs[i].name, io::dtypeName(view->dtype),
                                     dtypeName(descs[i].dtype)));
    std::memcpy(storage(i), view->data, view->byteSize);
  }
}

void writeTensors(const std::string &path, const ClipTensorDesc *descs,
                  int32_t count,
                  const std::function<const void *(int32_t)> &data) {
  io::SafetensorsWriter writer;
  for (int32_t i = 0; i < count; ++i) {
    const auto *bytes = static_cast<const uint8_t *>(data(i));
    writer.add(
        descs[i].name, ioType(descs[i].dtype),
        std::vector<int64_t>(descs[i].shape, descs[i].shape + descs[i].rank),
        std::vector<uint8_t>(bytes, bytes + byteSize(descs[i])));
  }
  writer.write(path);
}

std::string mib(int64_t bytes) {
  return fmt::format("{:.1f} MiB", bytes / 1048576.0);
}

int info(const std::string &path) {
  Library library(path);
  const ClipLibraryDesc &lib = library.desc();
  fmt::print("{}: clip.so ABI {}, model {}, batch {}, remat {}, precision {}, "
             "CPU code {}\n",
             path, lib.abiVersion, lib.model, lib.batchSize, lib.remat,
             lib.precision, lib.cpuIsa);
  for (int32_t f = 0; f < lib.numFunctions; ++f) {
    const ClipFunctionDesc &fn = lib.functions[f];
    int64_t paramBytes = 0, paramCount = 0;
    for (int32_t i = 0; i < fn.numParams; ++i) {
      paramBytes += byteSize(fn.params[i]);
      paramCount += elementCount(fn.params[i]);
    }
    fmt::print("\n@{}: {} kernels, arena {} ({} if no buffer were shared, "
               "peak live {}), targets:{}{}\n",
               fn.name, fn.numKernels, mib(fn.arenaBytes), mib(fn.bufferBytes),
               mib(fn.peakLiveBytes), fn.runCpu ? " cpu" : "",
               fn.cudaSource
                   ? fmt::format(" cuda ({} steps{})", fn.numCudaSteps,
                                 fn.cudaCubinSize
                                     ? fmt::format(", {} cubin {}", fn.cudaArch,
                                                   mib(fn.cudaCubinSize))
                                     : std::string())
                   : std::string());
    std::map<std::string, int> kinds;
    for (int32_t k = 0; k < fn.numKernels; ++k)
      ++kinds[fn.kernels[k].kind];
    std::string kindText;
    for (auto &[kind, n] : kinds)
      kindText += fmt::format(" {} {},", kind, n);
    kindText.pop_back();
    fmt::print("  kernels by kind:{}\n", kindText);
    fmt::print("  parameters: {} tensors, {} values ({})\n", fn.numParams,
               paramCount, mib(paramBytes));
    for (int32_t i = 0; i < fn.numInputs; ++i)
      fmt::print("  input {} {} {}\n", fn.inputs[i].name,
                 dtypeName(fn.inputs[i].dtype), shapeString(fn.inputs[i]));
    fmt::print("  outputs: {} ({} gradients)\n", fn.numOutputs,
               clip::train::findStepOutputs(fn).grads.size());
  }
  return 0;
}

int step(const std::string &path, const StepOptions &options) {
  Library library(path);
  std::unique_ptr<Executor> device;
  if (options.device == "cuda")
    device =
        std::make_unique<clip::gpu::CudaExecutor>(library, options.function);
  else
    device = std::make_unique<CpuExecutor>(library, options.function);
  Executor &executor = *device;
  const ClipFunctionDesc &fn = executor.function();
  std::mt19937_64 rng(options.seed);

  int64_t vocab = 49408;
  for (int32_t i = 0; i < fn.numParams; ++i)
    if (std::string(fn.params[i].name) == "token_embedding.weight")
      vocab = fn.params[i].shape[0];
  if (!options.params.empty())
    bindFromFile(
        options.params, fn.params, fn.numParams,
        [&](int32_t i) { return executor.param(i); }, "parameters");
  else
    clip::train::initializeParameters(executor, rng);
  if (!options.inputs.empty())
    bindFromFile(
        options.inputs, fn.inputs, fn.numInputs,
        [&](int32_t i) { return executor.input(i); }, "inputs");
  else
    for (int32_t i = 0; i < fn.numInputs; ++i) {
      if (i == clip::train::findRngSeed(fn)) {
        *static_cast<int64_t *>(executor.input(i)) =
            clip::train::dropoutSeed(options.seed, 0);
        continue;
      }
      if (const auto drop = clip::train::findPatchDropout(fn); drop.input == i) {
        // Patch dropout: distinct patches per image.
        auto *keep = static_cast<int64_t *>(executor.input(i));
        for (int64_t row = 0; row < fn.inputs[i].shape[0]; ++row) {
          std::vector<int64_t> order(drop.patches);
          std::iota(order.begin(), order.end(), int64_t{0});
          std::shuffle(order.begin(), order.end(), rng);
          std::sort(order.begin(), order.begin() + drop.kept);
          std::copy(order.begin(), order.begin() + drop.kept,
                    keep + row * drop.kept);
        }
        continue;
      }
      initInput(fn.inputs[i], executor.input(i), vocab, rng);
    }
  if (!options.saveParams.empty())
    writeTensors(options.saveParams, fn.params, fn.numParams,
                 [&](int32_t i) { return executor.param(i); });
  if (!options.saveInputs.empty())
    writeTensors(options.saveInputs, fn.inputs, fn.numInputs,
                 [&](int32_t i) { return executor.input(i); });
  for (int32_t i = 0; i < fn.numOutputs; ++i)
    if (fn.outputs[i].arenaOffset < 0)
      throw RuntimeError(fmt::format("{}: output `{}` is not in the arena",
                                     path, fn.outputs[i].name));

  const int64_t batch = library.desc().batchSize;
  fmt::print("{}: @{} on {}, batch {}, arena {}\n", path, fn.name,
             executor.deviceName(), batch, mib(fn.arenaBytes));
  double total = 0;
  for (int64_t s = 0; s < options.steps; ++s) {
    const auto start = std::chrono::steady_clock::now();
    executor.run();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    total += seconds;
    std::string loss;
    if (fn.numOutputs > 0 && fn.outputs[0].rank == 0 &&
        fn.outputs[0].dtype == CLIP_F32)
      loss = fmt::format(" loss {:.6f}",
                         *static_cast<const float *>(executor.output(0)));
    fmt::print("step {}/{}{}  {:.1f} ms  {:.1f} pairs/s\n", s + 1,
               options.steps, loss, seconds * 1e3, batch / seconds);
  }
  if (options.steps > 0)
    fmt::print("mean {:.1f} ms/step, {:.1f} pairs/s\n",
               total / options.steps * 1e3, batch * options.steps / total);
  if (!options.out.empty())
    writeTensors(options.out, fn.outputs, fn.numOutputs,
                 [&](int32_t i) { return executor.output(i); });
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  // A write past the file-size limit then fails with EFBIG, reported like a
  // full disk, instead of killing the process mid-checkpoint.
  std::signal(SIGXFSZ, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      fmt::print("{}", usage);
      return args.empty() ? 1 : 0;
    }
    const std::string command = args[0];
    if (command == "convert")
      return clip::run::convertCommand({args.begin() + 1, args.end()});
    if (args.size() < 2)
      throw RuntimeError(
          fmt::format("{} needs a clip.so file\n{}", command, usage));
    if (command == "info") {
      if (args.size() > 2)
        throw RuntimeError(
            fmt::format("info takes one file, got `{}` too", args[2]));
      return info(args[1]);
    }
    if (command == "train")
      return clip::run::trainCommand({args.begin() + 1, args.end()});
    if (command == "eval")
      return clip::run::evalCommand({args.begin() + 1, args.end()});
    if (command == "embed")
      return clip::run::embedCommand({args.begin() + 1, args.end()});
    if (command == "classify")
      return clip::run::classifyCommand({args.begin() + 1, args.end()});
    if (command == "search")
      return clip::run::searchCommand({args.begin() + 1, args.end()});
    if (command == "filter")
      return clip::run::filterCommand({args.begin() + 1, args.end()});
    if (command != "step")
      throw RuntimeError(
          fmt::format("unknown command `{}`\n{}", command, usage));
    StepOptions options;
    for (size_t i = 2; i < args.size(); ++i) {
      const std::string &flag = args[i];
      auto value = [&]() -> const std::string & {
        if (i + 1 >= args.size())
          throw RuntimeError(fmt::format("{} needs a value", flag));
        return args[++i];
      };
      if (flag == "--function")
        options.function = value();
      else if (flag == "--device") {
        options.device = value();
        if (options.device != "cpu" && options.device != "cuda")
          throw RuntimeError(fmt::format("--device must be cpu or cuda (got "
                                         "`{}`)",
                                         options.device));
      } else if (flag == "--steps")
        options.steps = parseCount(flag, value());
      else if (flag == "--seed")
        options.seed = parseCount(flag, value());
      else if (flag == "--params")
        options.params = value();
      else if (flag == "--inputs")
        options.inputs = value();
      else if (flag == "--save-params")
        options.saveParams = value();
      else if (flag == "--save-inputs")
        options.saveInputs = value();
      else if (flag == "--out")
        options.out = value();
      else
        throw RuntimeError(fmt::format("unknown option `{}`\n{}", flag, usage));
    }
    return step(args[1], options);
  } catch (const BlasCheckError &e) {
    // OpenBLAS picks its kernels once, as it loads: from OPENBLAS_CORETYPE,
    // else from the CPU. Start over with its AVX2 (Haswell) kernels, which
    // every CPU that passes Library's CLIP_CPU_ISA check runs; nothing has
    // been computed or written yet (the check runs before the first step).
    if (!std::getenv("OPENBLAS_CORETYPE")) {
      fmt::print(stderr,
                 "clip-run: {}; restarting with OpenBLAS's Haswell kernels "
                 "(OPENBLAS_CORETYPE=Haswell)\n",
                 e.what());
      std::fflush(stdout);
      std::fflush(stderr);
      setenv("OPENBLAS_CORETYPE", "Haswell", 1);
      execv("/proc/self/exe", argv);
      fmt::print(stderr, "clip-run: cannot restart: {}\n",
                 std::strerror(errno));
      return 1;
    }
    const std::string core = std::getenv("OPENBLAS_CORETYPE");
    fmt::print(stderr,
               "clip-run: {} (OPENBLAS_CORETYPE={}); refusing to compute "
               "wrong results. {}\n",
               e.what(), core,
               core == "Haswell"
                   ? "Even OpenBLAS's Haswell kernels fail here: install "
                     "another OpenBLAS build"
                   : "Unset OPENBLAS_CORETYPE (clip-run then picks kernels "
                     "that pass) or set it to Haswell");
    return 1;
  } catch (const std::exception &e) {
    fmt::print(stderr, "clip-run: {}\n", e.what());
    return 1;
  }
}
