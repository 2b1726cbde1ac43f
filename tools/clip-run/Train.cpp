//===- Train.cpp - clip-run train -----------------------------------------===//
//
// train: the compiled @train_step (loss and every gradient) driven by the
// data loader, with AdamW, OpenCLIP's schedule and logit-scale clamp,
// gradient clipping and accumulation, progress, metrics, checkpoints and
// resume, then zero-shot evaluation. Started by mpirun or srun as N
// processes, each trains on its share of every global batch through the
// split step (runtime/dist, docs/distributed.md); rank 0 reports, writes
// checkpoints and evaluates.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "Flags.h"
#include "Support.h"
#include "ZeroShot.h"

#include "runtime/core/Executor.h"
#include "runtime/data/Data.h"
#include "runtime/dist/Communicator.h"
#include "runtime/dist/DistributedTrainer.h"
#include "runtime/gpu/CudaExecutor.h"
#include "runtime/gpu/CudaTrainer.h"
#include "runtime/io/Safetensors.h"
#include "runtime/text/Tokenizer.h"
#include "runtime/train/Checkpoint.h"
#include "runtime/train/Initialize.h"
#include "runtime/train/Metrics.h"
#include "runtime/train/Optimizer.h"
#include "runtime/train/Trainer.h"

#include "fmt/format.h"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <omp.h>
#include <unistd.h>

namespace clip::run {

using runtime::CpuExecutor;
using runtime::Executor;
using runtime::RuntimeError;

namespace {

std::string duration(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

// A signal handler reaches nothing but globals: this flag is the one
// clip-run train keeps. The first SIGINT asks the loop to save and stop
// after the step in progress; the handler then restores the default, so a
// second SIGINT ends the process at once.
volatile std::sig_atomic_t interrupted = 0;

void onInterrupt(int) {
  interrupted = 1;
  std::signal(SIGINT, SIG_DFL);
}

/// FNV-1a of a file's bytes: ranks must load the same clip.so.
std::string fileHash(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t h = 1469598103934665603ull;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i)
      h = (h ^ static_cast<unsigned char>(buffer[i])) * 1099511628211ull;
    if (!in)
      break;
  }
  return fmt::format("{:016x}", h);
}

} // namespace

int trainCommand(const std::vector<std::string> &args) {
  Flags flags = commonFlags();
  flags.value("steps", "0", "optimizer steps (0: --epochs of the data)")
      .value("epochs", "1", "passes over the data when --steps is 0")
      .value("lr", "5e-4", "peak learning rate")
      .value("wd", "0.2", "AdamW weight decay")
      .value("beta1", "0.9", "AdamW beta1")
      .value("beta2", "0.98", "AdamW beta2")
      .value("eps", "1e-6", "AdamW epsilon")
      .value("warmup", "-1", "warmup steps (-1: 5% of the steps)")
      .value("accum", "1", "micro-batches per optimizer step")
      .value("clip-grad", "0", "clip the global gradient norm (0: off)")
      .toggle("random-crop", "RandomResizedCrop(scale 0.9-1) for training")
      .value("init", "", "start from these parameters (any checkpoint --params "
                         "takes: ours, Hugging Face, torch.save, sharded)")
      .value("checkpoint", "", "checkpoint file, rewritten atomically")
      .value("save-every", "0", "steps between checkpoints (0: at the end)")
      .value("resume", "", "continue from this checkpoint")
      .value("metrics", "", "append step metrics here (JSONL)")
      .value("plot", "", "SVG plot of loss and accuracy")
      .value("log-every", "10", "steps between progress lines (non-tty)")
      .value("batch", "0",
             "global batch (0: the clip.so's batch x ranks); a multiple of "
             "that runs each rank's share in chunks of the clip.so's batch "
             "(GradCache; needs clipc --distributed)")
      .value("loss", "",
             "clip or siglip: which the clip.so was compiled with (clipc "
             "--loss), checked; the model file keeps one graph")
      .toggle("check-numerics",
              "after every kernel, check that its outputs are finite: the "
              "first NaN or Inf stops training naming the step, the kernel "
              "and its op in the model file (CPU and GPU)")
      .value("zero", "0",
             "under mpirun/srun: 1 shards the AdamW moments over the ranks "
             "(ZeRO stage 1), 0 keeps them on every rank")
      .value("collective-timeout", "300",
             "under mpirun/srun: seconds a collective may wait for the other "
             "ranks before the job is ended (0: forever)")
      .toggle("no-eval", "skip the final zero-shot evaluation")
      .value("val-csv", "", "validation pairs: a CSV (as --csv)")
      .value("val-tar", "", "validation pairs: WebDataset shards (as --tar)")
      .value("val-split", "0",
             "hold out this fraction of the training data for validation "
             "(the same samples in every run)")
      .value("val-every", "0",
             "steps between validations (0: every epoch, and at the end)");
  const std::vector<std::string> positionals = flags.parse(args);
  if (flags.on("help")) {
    fmt::print("usage: clip-run train FILE.so [options]\n\n{}", flags.help());
    return 0;
  }
  if (positionals.size() != 1)
    throw RuntimeError("train needs one clip.so file (see --help)");
  const std::string path = positionals[0];
  if (const int64_t threads = flags.integer("threads"); threads > 0)
    omp_set_num_threads(static_cast<int>(threads));

  // Under mpirun or srun: one rank of a data-parallel job.
  std::unique_ptr<dist::Communicator> comm =
      dist::connect(flags.number("collective-timeout"));
  const bool lead = comm->rank() == 0;

  runtime::Library library(path);
  // Split across ranks or chunks, the step's halves run on the device and
  // @train_step only holds the parameters, on the host.
  const bool halves =
      comm->size() > 1 || flags.integer("batch") > library.desc().batchSize;
  std::unique_ptr<Executor> step = makeExecutor(
      library, CLIP_TRAIN_STEP, halves ? "cpu" : flags.str("device"));
  const ClipFunctionDesc &fn = step->function();
  // The loss is compiled in: a model with a logit_bias has SigLIP's.
  const std::string compiledLoss =
      step->paramIndex(CLIP_LOGIT_BIAS) >= 0 ? "siglip" : "clip";
  if (flags.given("loss") && flags.str("loss") != compiledLoss) {
    if (flags.str("loss") != "clip" && flags.str("loss") != "siglip")
      throw RuntimeError(fmt::format("--loss must be clip or siglip, got `{}`",
                                     flags.str("loss")));
    throw RuntimeError(fmt::format(
        "--loss {}: {} was compiled with the {} loss; the loss is chosen when "
        "compiling (clipc --loss {})",
        flags.str("loss"), path, compiledLoss, flags.str("loss")));
  }
  const int32_t imageInput = inputIndex(*step, "image");
  const int32_t textInput = inputIndex(*step, "text");
  const train::PatchDropout patchDropout = train::findPatchDropout(fn);
  const int32_t rngSeedInput = train::findRngSeed(fn);
  const ClipTensorDesc &imageDesc = fn.inputs[imageInput];
  const ClipTensorDesc &textDesc = fn.inputs[textInput];
  const int64_t batch = imageDesc.shape[0]; // the compiled batch
  // The global batch: ranks x chunks x the compiled batch.
  const int64_t asked = flags.integer("batch");
  if (asked % (batch * comm->size()) != 0)
    throw RuntimeError(fmt::format(
        "--batch {} is no multiple of the {} rank{} x the clip.so's batch {}",
        asked, comm->size(), comm->size() == 1 ? "" : "s", batch));
  const int64_t chunks = asked > 0 ? asked / (batch * comm->size()) : 1;
  const int64_t share = chunks * batch; // a rank's pairs a micro-batch
  const int64_t globalBatch = share * comm->size();
  // The split step: ranks gather features between its halves, chunks
  // recompute them.
  const bool distributed = comm->size() > 1 || chunks > 1;
  if (distributed && (patchDropout.input >= 0 || rngSeedInput >= 0))
    throw RuntimeError(fmt::format(
        "{} with data-parallel or chunked training is not built yet: train "
        "it in one process, unchunked",
        patchDropout.input >= 0 ? "patch dropout" : "dropout"));
  const int64_t imageSize = imageDesc.shape[2];
  const int64_t contextLength = textDesc.shape[1];

  train::AdamWConfig adam;
  adam.lr = flags.number("lr");
  adam.weightDecay = flags.number("wd");
  adam.beta1 = flags.number("beta1");
  adam.beta2 = flags.number("beta2");
  adam.eps = flags.number("eps");
  // The loss, each parameter's gradient, BatchNorm's updated statistics,
  // and the update: on the host, or on the GPU beside the step.
  std::unique_ptr<train::Trainer> trainer;
  dist::DistributedTrainer *split = nullptr; // where batches go
  int64_t momentBytes = -1; // this rank's AdamW moments, when sharded
  if (distributed) {
    // On GPUs: the one of this rank's place on its machine.
    const int device = flags.str("device") == "cuda" ? comm->localRank() : -1;
    auto owned = std::make_unique<dist::DistributedTrainer>(
        library, *step, *comm, adam, static_cast<int>(flags.integer("zero")),
        chunks, 25 << 20, device, flags.number("collective-timeout"));
    split = owned.get();
    split->checkNumerics(flags.on("check-numerics"));
    momentBytes = split->momentValues() * static_cast<int64_t>(sizeof(float));
    trainer = std::move(owned);
  } else {
    step->checkNumerics(flags.on("check-numerics"));
    if (auto *cuda = dynamic_cast<gpu::CudaExecutor *>(step.get()))
      trainer = std::make_unique<gpu::CudaTrainer>(*cuda, path, adam);
    else
      trainer = std::make_unique<train::HostTrainer>(*step, path, adam);
  }

  const uint64_t seed = static_cast<uint64_t>(flags.integer("seed"));
  int64_t startStep = 0;
  if (flags.given("resume")) {
    // optimizer() once: on a GPU it downloads the device's state, which the
    // checkpoint then replaces and optimizerLoaded() uploads.
    train::AdamW &state = trainer->optimizer();
    auto meta = train::loadCheckpoint(flags.str("resume"), *step, &state);
    startStep = state.steps();
    trainer->optimizerLoaded();
    if (auto it = meta.find("train/seed");
        it != meta.end() && std::stoull(it->second) != seed)
      throw RuntimeError(fmt::format(
          "{}: checkpoint was trained with --seed {}, this run has {}",
          flags.str("resume"), it->second, seed));
    // The data order is the global batches': another rank count resumes
    // the same run only with the same global batch.
    const auto it = meta.find("train/global_batch");
    const int64_t saved = it != meta.end()
                              ? std::stoll(it->second)
                              : library.desc().batchSize; // one process
    if (saved != globalBatch)
      throw RuntimeError(fmt::format(
          "{}: checkpoint was trained with a global batch of {} pairs, this "
          "run has {} ({} rank{} x {}): resume with the same global batch",
          flags.str("resume"), saved, globalBatch, comm->size(),
          comm->size() == 1 ? "" : "s", batch));
  } else if (flags.given("init")) {
    train::loadCheckpoint(flags.str("init"), *step, nullptr);
  } else {
    std::mt19937_64 rng(seed);
    train::initializeParameters(*step, rng);
  }

  text::Tokenizer tokenizer(vocabularyPath(flags));
  std::unique_ptr<data::SampleSource> all = openSource(flags, true);
  // Validation: its own data, or a held-out fraction of the training data.
  std::unique_ptr<data::SampleSource> source, validation;
  const int valSources = flags.given("val-csv") + flags.given("val-tar") +
                         flags.given("val-split");
  if (valSources > 1)
    throw RuntimeError("give validation data with one of --val-csv, --val-tar "
                       "or --val-split");
  if (flags.given("val-split")) {
    std::vector<size_t> kept, heldOut;
    data::splitHeldOut(all->size(), flags.number("val-split"), kept, heldOut);
    source = data::subsetOf(*all, std::move(kept));
    validation = data::subsetOf(*all, std::move(heldOut));
  } else {
    source = std::move(all);
    if (flags.given("val-csv"))
      validation = openCsv(flags, flags.str("val-csv"));
    else if (flags.given("val-tar"))
      validation = data::openTarShards(data::expandShards(flags.str("val-tar")));
  }
  const int64_t accum = flags.integer("accum", 1);
  data::LoaderConfig loaderConfig;
  loaderConfig.batchSize = share;
  loaderConfig.preprocess.size = imageSize;
  loaderConfig.preprocess.randomResizedCrop = flags.on("random-crop");
  loaderConfig.contextLength = contextLength;
  loaderConfig.threads = static_cast<int>(flags.integer("workers", 1));
  loaderConfig.seed = seed;
  loaderConfig.skipBad = flags.on("skip-bad");
  loaderConfig.startBatch = startStep * accum;
  loaderConfig.shards = comm->size();
  loaderConfig.shard = comm->rank();
  loaderConfig.patches = patchDropout.patches;
  loaderConfig.patchesKept = patchDropout.kept;
  data::Loader loader(
      *source, loaderConfig, [&](const std::string &caption, int64_t *tokens) {
        std::vector<int64_t> ids = tokenizer.tokenize(caption, contextLength);
        std::copy(ids.begin(), ids.end(), tokens);
      });
  const int64_t totalSteps =
      flags.integer("steps") > 0
          ? flags.integer("steps")
          : flags.integer("epochs", 1) * loader.batchesPerEpoch() / accum;
  const int64_t warmup = flags.integer("warmup", -1) >= 0
                             ? flags.integer("warmup", -1)
                             : std::max<int64_t>(1, totalSteps / 20);
  const double clipNorm = flags.number("clip-grad");
  const int64_t saveEvery = flags.integer("save-every");
  const std::string checkpoint = flags.str("checkpoint");
  if (distributed) {
    // Ranks that would train different things stop here, naming the
    // difference. Per-machine and rank 0's own settings may differ.
    std::map<std::string, std::string> same = flags.values();
    for (const char *local : {"threads", "workers", "vocab", "metrics", "plot",
                              "checkpoint", "log-every", "fashion-mnist-dir"})
      same.erase(local);
    same["clip.so"] = fileHash(path);
    same["clip.so batch"] = std::to_string(batch);
    same["data"] = fmt::format("{} samples, first {}", source->size(),
                               source->size() ? source->where(0) : "-");
    same["start step"] = std::to_string(startStep);
    comm->checkSame(same);
  }
  // A folder the checkpoint cannot be written to is found now, not after
  // the first --save-every steps of training.
  if (lead && !checkpoint.empty())
    io::SafetensorsWriter::checkWritable(checkpoint);
  std::unique_ptr<train::MetricsLog> metrics;
  if (flags.given("metrics") && lead)
    metrics = std::make_unique<train::MetricsLog>(flags.str("metrics"),
                                                  startStep > 0);

  // Validation on rank 0 with the parameters as they are: the encoders get
  // a copy each time.
  std::unique_ptr<Executor> valText, valImage;
  if (validation && lead) {
    valText = makeExecutor(library, "encode_text", flags.str("device"));
    valImage = makeExecutor(library, "encode_image", flags.str("device"));
  }
  auto validate = [&](int64_t done) {
    if (!valText)
      return;
    const auto began = std::chrono::steady_clock::now();
    copyParameters(*step, *valText);
    copyParameters(*step, *valImage);
    double bias = 0;
    const int32_t biasIndex = step->paramIndex(CLIP_LOGIT_BIAS);
    if (biasIndex >= 0)
      bias = *static_cast<const float *>(step->param(biasIndex));
    const Validation v = clip::run::validate(
        {*valText, *valImage}, tokenizer, *validation, globalBatch,
        trainer->logitScale(), biasIndex >= 0 ? &bias : nullptr,
        static_cast<int>(flags.integer("workers", 1)), flags.on("skip-bad"));
    const Retrieval &r = v.retrieval;
    fmt::print("validation at step {}: loss {:.4f} ({} batch{} of {}), "
               "image->text R@1/5/10 {:.1f}/{:.1f}/{:.1f}%, text->image "
               "{:.1f}/{:.1f}/{:.1f}% ({} images, {} captions; {:.1f} s)\n",
               done, v.loss, v.batches, v.batches == 1 ? "" : "es",
               std::min<int64_t>(globalBatch, v.images), 100 * r.imageToText[0],
               100 * r.imageToText[1], 100 * r.imageToText[2],
               100 * r.textToImage[0], 100 * r.textToImage[1],
               100 * r.textToImage[2], v.images, v.captions,
               std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             began)
                   .count());
    std::fflush(stdout);
    if (metrics)
      metrics->write({{"step", double(done)},
                      {"val_loss", v.loss},
                      {"val_i2t_r1", r.imageToText[0]},
                      {"val_i2t_r5", r.imageToText[1]},
                      {"val_i2t_r10", r.imageToText[2]},
                      {"val_t2i_r1", r.textToImage[0]},
                      {"val_t2i_r5", r.textToImage[1]},
                      {"val_t2i_r10", r.textToImage[2]},
                      {"val_mean_recall", r.mean()}},
                     "val");
  };
  const int64_t valEvery =
      flags.integer("val-every") > 0
          ? flags.integer("val-every")
          : std::max<int64_t>(1, loader.batchesPerEpoch() / accum);

  if (lead) {
    fmt::print(
        "train {}: @{} on {}{}, {} loss, batch {} x {} accumulation, "
        "{} image-text pairs ({} batches an epoch), steps {}..{} of "
        "{}, warmup {}, lr {:g}, wd {:g}\n",
        path,
        distributed ? CLIP_TRAIN_EMBED " + loss + @" CLIP_TRAIN_BACKWARD
                    : CLIP_TRAIN_STEP,
        split ? split->deviceName() : step->deviceName(),
        comm->size() > 1 ? fmt::format(" x {} ranks ({}), {} pairs a rank",
                                       comm->size(), comm->describe(), share)
                         : "",
        compiledLoss == "siglip" ? "SigLIP's sigmoid" : "CLIP's contrastive",
        globalBatch, accum, source->size(), loader.batchesPerEpoch(),
        startStep + 1, totalSteps, totalSteps, warmup, adam.lr,
        adam.weightDecay);
    if (chunks > 1)
      fmt::print("  each rank's {} pairs in {} chunks of {} (features first, "
                 "then each chunk recomputed with its gradients)\n",
                 share, chunks, batch);
    if (momentBytes >= 0 && flags.integer("zero") == 1)
      fmt::print("  --zero 1: rank 0 keeps {:.1f} MiB of AdamW moments\n",
                 momentBytes / 1048576.0);
    std::fflush(stdout);
  }

  // The step the checkpoint file holds (-1: none written by this run).
  int64_t lastSaved = flags.given("resume") && flags.str("resume") == checkpoint
                          ? startStep
                          : -1;
  auto save = [&](int64_t done) {
    if (checkpoint.empty())
      return;
    lastSaved = done;
    trainer->prepareCheckpoint(); // every rank: gathers a sharded state
    if (!lead) {
      trainer->checkpointWritten();
      return;
    }
    train::saveCheckpoint(
        checkpoint, *step, &trainer->optimizer(),
        {{"train/step", std::to_string(done)},
         {"train/seed", std::to_string(seed)},
         {"train/model", library.desc().model},
         {"train/accum", std::to_string(accum)},
         {"train/world", std::to_string(comm->size())},
         {"train/global_batch", std::to_string(globalBatch)}});
    trainer->checkpointWritten();
  };

  const bool tty = isatty(fileno(stdout)) && comm->size() == 1;
  const int64_t logEvery = flags.integer("log-every", 1);
  const auto start = std::chrono::steady_clock::now();
  double lossAverage = NAN;
  // The next micro-batch goes into the inputs while the step runs (on a
  // GPU, run() returns once the step is queued and its upload started).
  auto fill = [&] {
    data::Batch b = loader.next();
    if (split) {
      split->setBatch(b.images.data(), b.tokens.data());
      return;
    }
    std::memcpy(step->input(imageInput), b.images.data(),
                b.images.size() * sizeof(float));
    std::memcpy(step->input(textInput), b.tokens.data(),
                b.tokens.size() * sizeof(int64_t));
    if (patchDropout.input >= 0)
      std::memcpy(step->input(patchDropout.input), b.patchKeep.data(),
                  b.patchKeep.size() * sizeof(int64_t));
    // Dropout: every micro-batch its own masks, the same on a resume.
    if (rngSeedInput >= 0)
      *static_cast<int64_t *>(step->input(rngSeedInput)) =
          train::dropoutSeed(seed, b.globalBatch);
  };
  interrupted = 0;
  std::signal(SIGINT, onInterrupt);
  if (startStep < totalSteps)
    fill();
  for (int64_t s = startStep; s < totalSteps; ++s) {
    const double lr = train::cosineLr(adam.lr, warmup, totalSteps, s);
    double loss = 0;
    for (int64_t a = 0; a < accum; ++a) {
      try {
        trainer->run();
      } catch (const RuntimeError &e) {
        throw RuntimeError(fmt::format("step {}: {}", s + 1, e.what()));
      }
      if (s + 1 < totalSteps || a + 1 < accum)
        fill();
      loss += trainer->gather(a, accum) / accum;
    }
    trainer->update(lr, clipNorm);

    const int64_t done = s + 1;
    // A non-finite loss or gradient has already reached the parameters:
    // stop before anything is saved, so the last checkpoint stays good.
    if (const double norm = trainer->gradNorm();
        !std::isfinite(loss) || !std::isfinite(norm))
      throw RuntimeError(fmt::format(
          "step {}: the loss is {} and the gradient norm {}: not finite; "
          "stopping without saving{} (a lower --lr, --clip-grad or --warmup "
          "may help)",
          done, loss, norm,
          checkpoint.empty() || lastSaved < 0
              ? ""
              : fmt::format(": {} still holds step {}", checkpoint,
                            lastSaved)));
    lossAverage =
        std::isnan(lossAverage) ? loss : 0.95 * lossAverage + 0.05 * loss;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    const double stepsPerSecond = (done - startStep) / elapsed;
    const double pairsPerSecond = stepsPerSecond * globalBatch * accum;
    // The norm and the scale are read from a GPU only when shown.
    const bool show = lead && (tty || done % logEvery == 0 ||
                               done == totalSteps || done == startStep + 1);
    const double scale = metrics || show ? trainer->logitScale() : NAN;
    if (metrics)
      metrics->write({{"step", double(done)},
                      {"loss", loss},
                      {"lr", lr},
                      {"grad_norm", trainer->gradNorm()},
                      {"logit_scale", scale},
                      {"pairs_per_s", pairsPerSecond},
                      {"data_wait_s", loader.stats().waitSeconds}},
                     "train");
    if (saveEvery > 0 && done % saveEvery == 0 && done < totalSteps)
      save(done);
    if (done % valEvery == 0 || done == totalSteps)
      validate(done);
    if (show) {
      const double eta = (totalSteps - done) / stepsPerSecond;
      const int width = 24;
      const int filled = static_cast<int>(width * done / totalSteps);
      fmt::print("{}[{}{}] step {}/{}  loss {:.4f} (avg {:.4f})  lr {:.2e}  "
                 "scale {:.1f}  {:.0f} pairs/s  ETA {}{}",
                 tty ? "\r" : "", std::string(filled, '#'),
                 std::string(width - filled, '.'), done, totalSteps, loss,
                 lossAverage, lr, scale, pairsPerSecond, duration(eta),
                 tty && done < totalSteps ? "" : "\n");
      std::fflush(stdout);
    }
    // Ctrl-C: every rank stops after the same step.
    double stop = interrupted ? 1.0 : 0.0;
    if (comm->size() > 1)
      comm->allReduceSum(&stop, 1);
    if (stop > 0 && done < totalSteps) {
      save(done);
      if (lead)
        fmt::print("interrupted after step {}{}\n", done,
                   checkpoint.empty()
                       ? " (no --checkpoint: nothing saved)"
                       : fmt::format("; {} holds it: continue with --resume {}",
                                     checkpoint, checkpoint));
      std::fflush(stdout);
      return 130; // as a shell reports a process ended by SIGINT
    }
  }
  std::signal(SIGINT, SIG_DFL);
  save(totalSteps);
  if (!lead)
    return 0; // rank 0 reports and evaluates
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const data::Loader::Stats stats = loader.stats();
  fmt::print("trained {} steps in {} ({:.1f} s; waited {:.1f} s on data, {} "
             "bad samples skipped){}\n",
             totalSteps - startStep, duration(elapsed), elapsed,
             stats.waitSeconds, stats.skipped,
             checkpoint.empty() ? "" : "; checkpoint " + checkpoint);

  if (!flags.on("no-eval") && flags.str("data") == "fashion-mnist" &&
      !flags.given("csv") && !flags.given("tar")) {
    const auto evalStart = std::chrono::steady_clock::now();
    ZeroShotResult result =
        fashionMnistZeroShot(library, *step, tokenizer, flags, imageSize);
    printZeroShot(result, "Fashion-MNIST test", data::fashionMnistClasses(),
                data::captionTemplates().size());
    fmt::print("  evaluated in {:.1f} s\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             evalStart)
                   .count());
    if (metrics)
      metrics->write({{"step", double(totalSteps)},
                      {"zero_shot_top1", result.top1},
                      {"zero_shot_top5", result.top5}},
                     "eval");
  }
  if (flags.given("plot")) {
    if (!metrics)
      throw RuntimeError("--plot needs --metrics (the plot is drawn from it)");
    train::writeSvgPlot(
        flags.str("plot"),
        fmt::format("clip-run train {}", library.desc().model),
        [&] {
          // Panels that have points: validation's and evaluation's appear
          // when they ran.
          std::vector<train::Series> series = train::readSeries(
              flags.str("metrics"),
              {"loss", "val_loss", "val_mean_recall", "lr", "grad_norm",
               "zero_shot_top1"});
          series.erase(std::remove_if(series.begin() + 1, series.end(),
                                      [](const train::Series &s) {
                                        return s.points.empty();
                                      }),
                       series.end());
          return series;
        }());
    fmt::print("plot: {}\n", flags.str("plot"));
  }
  return 0;
}

} // namespace clip::run
