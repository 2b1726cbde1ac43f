//===- DistributedTrainer.cpp - Data-parallel training on the CPU ---------===//

#include "runtime/dist/DistributedTrainer.h"

#include "runtime/cpu/CpuKernels.h"
#include "runtime/train/TrainStep.h"

#include "fmt/format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace clip::dist {

using runtime::RuntimeError;

namespace {

bool startsWith(const std::string &name, const char *prefix) {
  return name.rfind(prefix, 0) == 0;
}

int32_t outputIndex(const ClipFunctionDesc &fn, const std::string &name) {
  for (int32_t o = 0; o < fn.numOutputs; ++o)
    if (name == fn.outputs[o].name)
      return o;
  return -1;
}

/// The trained parameters of `params` (its @train_step): what AdamW
/// updates, as the single-process trainer builds them.
std::vector<train::AdamW::Param> trainedParams(runtime::Executor &params,
                                               const std::string &where) {
  train::TrainStep binding(params, where);
  return binding.params();
}

} // namespace

DistributedTrainer::DistributedTrainer(
    const runtime::Library &library, runtime::Executor &params,
    Communicator &comm, const train::AdamWConfig &config, int zero,
    int64_t chunks, int64_t bucketBytes, int device, double timeoutSeconds)
    : comm_(comm), params_(params), epsilon_(library.desc().lossEpsilon),
      chunks_(chunks), bucketBytes_(bucketBytes),
      trained_(trainedParams(params, library.path())), zero_(zero),
      config_(config) {
  if (zero != 0 && zero != 1)
    throw RuntimeError(fmt::format(
        "--zero {}: only 0 (replicated optimizer) and 1 (moments sharded) "
        "exist",
        zero));
  const std::string &where = library.path();
  auto has = [&](const char *name) {
    for (int32_t f = 0; f < library.desc().numFunctions; ++f)
      if (std::strcmp(library.desc().functions[f].name, name) == 0)
        return true;
    return false;
  };
  if (!has(CLIP_TRAIN_EMBED) || !has(CLIP_TRAIN_BACKWARD) || epsilon_ <= 0)
    throw RuntimeError(fmt::format(
        "{}: has no @{} and @{}, which training on {} ranks{} needs: "
        "compile it with `clipc --distributed` (its --batch is then a rank's "
        "share, or a chunk of it)",
        where, CLIP_TRAIN_EMBED, CLIP_TRAIN_BACKWARD, comm.size(),
        chunks > 1 ? fmt::format(" in chunks of {}", library.desc().batchSize)
                   : ""));
  if (device >= 0) {
    if (chunks > 1)
      throw RuntimeError("chunked training on GPUs is not built yet: give "
                         "--batch as ranks x the clip.so's batch");
    auto e =
        std::make_unique<gpu::CudaExecutor>(library, CLIP_TRAIN_EMBED, device);
    auto b = std::make_unique<gpu::CudaExecutor>(library, CLIP_TRAIN_BACKWARD,
                                                 device);
    cudaEmbed_ = e.get();
    cudaBackward_ = b.get();
    embed_ = std::move(e);
    backward_ = std::move(b);
    nccl_ = std::make_unique<NcclCommunicator>(comm, cudaEmbed_->driver(),
                                               timeoutSeconds);
  } else {
    embed_ = std::make_unique<runtime::CpuExecutor>(library, CLIP_TRAIN_EMBED);
    backward_ =
        std::make_unique<runtime::CpuExecutor>(library, CLIP_TRAIN_BACKWARD);
  }
  const ClipFunctionDesc &e = embed_->function(), &b = backward_->function();

  // Both read the parameters where @train_step keeps them (on GPUs, a copy
  // uploaded before each run).
  for (runtime::Executor *fn : {embed_.get(), backward_.get()})
    for (int32_t i = 0; i < fn->function().numParams; ++i) {
      const int32_t at = params.paramIndex(fn->function().params[i].name);
      if (at < 0)
        throw RuntimeError(fmt::format("{}: @{}'s parameter `{}` is not one "
                                       "of @{}'s",
                                       where, fn->function().name,
                                       fn->function().params[i].name,
                                       params.function().name));
      if (nccl_)
        paramCopies_.push_back(
            {fn, i, at, runtime::byteSize(fn->function().params[i])});
      else
        fn->bindParam(i, params.param(at));
    }

  imageFeatures_ = outputIndex(e, CLIP_IMAGE_FEATURES);
  textFeatures_ = outputIndex(e, CLIP_TEXT_FEATURES);
  if (imageFeatures_ < 0 || textFeatures_ < 0)
    throw RuntimeError(fmt::format("{}: @{} has no outputs `{}` and `{}`",
                                   where, CLIP_TRAIN_EMBED, CLIP_IMAGE_FEATURES,
                                   CLIP_TEXT_FEATURES));
  const ClipTensorDesc &features = e.outputs[imageFeatures_];
  if (features.rank != 2 || features.dtype != CLIP_F32)
    throw RuntimeError(fmt::format("{}: `{}` must be f32 [batch, dim]", where,
                                   CLIP_IMAGE_FEATURES));
  batch_ = features.shape[0];
  dim_ = features.shape[1];
  imageInput_ = embed_->inputIndex("image");
  textInput_ = embed_->inputIndex("text");
  if (imageInput_ < 0 || textInput_ < 0)
    throw RuntimeError(fmt::format("{}: @{} has no inputs `image` and `text`",
                                   where, CLIP_TRAIN_EMBED));
  imageFloats_ = runtime::elementCount(e.inputs[imageInput_]);
  textTokens_ = runtime::elementCount(e.inputs[textInput_]);
  if (chunks_ < 1)
    throw RuntimeError(fmt::format("{} chunks: at least 1", chunks_));
  if (chunks_ > 1) {
    images_.resize(static_cast<size_t>(chunks_ * imageFloats_));
    tokens_.resize(static_cast<size_t>(chunks_ * textTokens_));
    features_.resize(static_cast<size_t>(2 * chunks_ * batch_ * dim_));
    featureGrads_.resize(features_.size());
  }

  const int64_t local = batch_ * dim_, all = local * comm.size();
  if (nccl_) {
    gathered_ = deviceAlloc(2 * all, "the gathered features");
    allGrads_ = deviceAlloc(2 * all, "every rank's feature gradients");
    gradInputs_ = deviceAlloc(2 * local, "this rank's feature gradients");
    hostGathered_.resize(static_cast<size_t>(2 * all));
    hostGrads_.resize(static_cast<size_t>(2 * all));
  }
  // The backward's inputs: the loss's gradients (its own storage), the
  // saved values (the embed's outputs), the model's inputs (the embed's).
  // On GPUs the backward reads them where the NCCL reduce-scatter and the
  // embed left them.
  for (int32_t i = 0; i < b.numInputs; ++i) {
    const std::string name = b.inputs[i].name;
    if (name == std::string(CLIP_GRAD_PREFIX) + CLIP_IMAGE_FEATURES) {
      imageGrad_ = i;
      if (nccl_)
        cudaBackward_->bindDeviceInput(i, gradInputs_);
    } else if (name == std::string(CLIP_GRAD_PREFIX) + CLIP_TEXT_FEATURES) {
      textGrad_ = i;
      if (nccl_)
        cudaBackward_->bindDeviceInput(
            i, gradInputs_ + static_cast<CUdeviceptr>(local) * sizeof(float));
    } else if (name == std::string(CLIP_GRAD_PREFIX) + CLIP_LOGIT_SCALE)
      scaleGrad_ = i;
    else if (name == std::string(CLIP_GRAD_PREFIX) + CLIP_LOGIT_BIAS)
      biasGrad_ = i;
    else if (const int32_t o = outputIndex(e, name); o >= 0) {
      saved_.emplace_back(i, o); // saved/<k>, or the features themselves
      if (nccl_)
        cudaBackward_->bindDeviceInput(i, cudaEmbed_->deviceOutput(o));
    } else if (startsWith(name, CLIP_SAVED_PREFIX))
      throw RuntimeError(fmt::format("{}: @{} reads `{}`, which @{} does "
                                     "not write",
                                     where, CLIP_TRAIN_BACKWARD, name,
                                     CLIP_TRAIN_EMBED));
    else if (const int32_t at = embed_->inputIndex(name); at >= 0) {
      if (nccl_)
        cudaBackward_->bindDeviceInput(i, cudaEmbed_->deviceInput(at));
      else
        backward_->bindInput(i, embed_->input(at));
    } else {
      throw RuntimeError(fmt::format("{}: @{}'s input `{}` is neither a "
                                     "gradient, a saved value nor an input "
                                     "of @{}",
                                     where, CLIP_TRAIN_BACKWARD, name,
                                     CLIP_TRAIN_EMBED));
    }
  }

  // Each trained parameter's gradient, by name; one that the backward does
  // not produce is zero (it does not reach the loss).
  std::unordered_map<std::string, int32_t> grads;
  for (int32_t o = 0; o < b.numOutputs; ++o)
    if (startsWith(b.outputs[o].name, CLIP_GRAD_PREFIX))
      grads.emplace(b.outputs[o].name + std::strlen(CLIP_GRAD_PREFIX), o);
  for (size_t t = 0; t < trained_.size(); ++t) {
    auto it = grads.find(trained_[t].name);
    gradOutputs_.push_back(it == grads.end() ? -1 : it->second);
    counts_.push_back(trained_[t].count);
    if (trained_[t].name == CLIP_LOGIT_SCALE)
      logitScale_ = static_cast<int32_t>(t);
    if (trained_[t].name == CLIP_LOGIT_BIAS)
      logitBias_ = static_cast<int32_t>(t);
  }
  // A model with a logit bias was compiled with SigLIP's sigmoid loss
  // (clipc --loss siglip): the runtime takes that loss between the halves.
  if (const int32_t at = params.paramIndex(CLIP_LOGIT_BIAS); at >= 0) {
    if (logitBias_ < 0)
      throw RuntimeError(fmt::format("{}: `{}` is not trained", where,
                                     CLIP_LOGIT_BIAS));
    logitBiasValue_ = static_cast<float *>(params.param(at));
  }
  if (const int32_t at = params.paramIndex(CLIP_LOGIT_SCALE); at >= 0)
    logitScaleValue_ = static_cast<float *>(params.param(at));
  else
    throw RuntimeError(
        fmt::format("{}: the model has no `{}`", where, CLIP_LOGIT_SCALE));
  sums_.resize(trained_.size());
  for (size_t t = 0; t < trained_.size(); ++t)
    sums_[t].assign(static_cast<size_t>(counts_[t]), 0.0f);
  if (chunks_ > 1)
    for (size_t t = 0; t < trained_.size(); ++t)
      chunkGrads_.emplace_back(
          gradOutputs_[t] >= 0 ? static_cast<size_t>(counts_[t]) : 0);

  // Pieces and their owners: the largest first, each to the least loaded
  // rank (ties to the lower rank): the same on every rank.
  int64_t total = 0;
  for (int64_t count : counts_)
    total += count;
  const int64_t largest =
      zero_ == 1 ? std::max<int64_t>(1, (total + 4 * comm.size() - 1) /
                                            (4 * comm.size()))
                 : total;
  for (size_t t = 0; t < trained_.size(); ++t) {
    const int64_t parts =
        std::max<int64_t>(1, (counts_[t] + largest - 1) / largest);
    for (int64_t p = 0; p < parts; ++p) {
      const int64_t begin = counts_[t] * p / parts,
                    end = counts_[t] * (p + 1) / parts;
      pieces_.push_back({t, begin, end - begin, comm.rank()});
    }
  }
  if (zero_ == 1) {
    std::vector<size_t> bySize(pieces_.size());
    for (size_t k = 0; k < bySize.size(); ++k)
      bySize[k] = k;
    std::stable_sort(bySize.begin(), bySize.end(), [&](size_t a, size_t b) {
      return pieces_[a].count > pieces_[b].count;
    });
    std::vector<int64_t> load(static_cast<size_t>(comm.size()), 0);
    for (size_t k : bySize) {
      const auto least = std::min_element(load.begin(), load.end());
      pieces_[k].owner = static_cast<int>(least - load.begin());
      *least += pieces_[k].count;
    }
  }
  std::vector<train::AdamW::Param> mine;
  for (size_t k = 0; k < pieces_.size(); ++k)
    if (pieces_[k].owner == comm.rank()) {
      const Piece &p = pieces_[k];
      owned_.push_back(k);
      train::AdamW::Param param = trained_[p.tensor];
      param.value += p.offset;
      param.count = p.count;
      mine.push_back(param);
    }
  optimizer_ = std::make_unique<train::AdamW>(std::move(mine), config_);
}

DistributedTrainer::~DistributedTrainer() {
  if (!cudaEmbed_)
    return;
  gpu::CudaDriver &d = cudaEmbed_->driver();
  d.cuCtxSynchronize(); // nothing may still read or write them
  for (CUdeviceptr p : deviceMemory_)
    d.cuMemFree(p);
}

CUdeviceptr DistributedTrainer::deviceAlloc(int64_t floats, const char *what) {
  gpu::CudaDriver &d = cudaEmbed_->driver();
  CUdeviceptr p = 0;
  d.check(d.cuMemAlloc(&p, static_cast<size_t>(std::max<int64_t>(floats, 1)) *
                               sizeof(float)),
          fmt::format("allocating {} floats for {}", floats, what));
  deviceMemory_.push_back(p);
  return p;
}

int64_t DistributedTrainer::momentValues() const {
  int64_t values = 0;
  for (size_t k : owned_)
    values += 2 * pieces_[k].count;
  return values;
}

train::AdamW &DistributedTrainer::optimizer() {
  if (zero_ == 0)
    return *optimizer_;
  if (!whole_) {
    whole_ = std::make_unique<train::AdamW>(trained_, config_);
    whole_->setSteps(optimizer_->steps());
  }
  return *whole_;
}

void DistributedTrainer::optimizerLoaded() {
  if (zero_ == 0 || !whole_)
    return;
  // Every rank read the whole state: each keeps its own pieces'.
  for (size_t j = 0; j < owned_.size(); ++j) {
    const Piece &p = pieces_[owned_[j]];
    for (int moment = 0; moment < 2; ++moment) {
      const std::vector<float> &from =
          moment == 0 ? whole_->expAvg(p.tensor) : whole_->expAvgSq(p.tensor);
      std::vector<float> &to =
          moment == 0 ? optimizer_->expAvg(j) : optimizer_->expAvgSq(j);
      to.assign(from.begin() + p.offset, from.begin() + p.offset + p.count);
    }
  }
  optimizer_->setSteps(whole_->steps());
  whole_.reset();
}

void DistributedTrainer::prepareCheckpoint() {
  if (zero_ == 0)
    return;
  // Rank 0 gathers every piece's moments from its owner (a broadcast: the
  // other ranks receive into a scratch they drop).
  const bool lead = comm_.rank() == 0;
  if (lead)
    optimizer();
  std::vector<float> scratch;
  size_t j = 0; // the next owned piece
  for (size_t k = 0; k < pieces_.size(); ++k) {
    const Piece &p = pieces_[k];
    const bool mine = p.owner == comm_.rank();
    for (int moment = 0; moment < 2; ++moment) {
      float *data;
      if (mine) {
        data = (moment == 0 ? optimizer_->expAvg(j) : optimizer_->expAvgSq(j))
                   .data();
      } else if (lead) {
        data = (moment == 0 ? whole_->expAvg(p.tensor)
                            : whole_->expAvgSq(p.tensor))
                   .data() +
               p.offset;
      } else {
        scratch.resize(static_cast<size_t>(p.count));
        data = scratch.data();
      }
      comm_.broadcast(data, p.count, p.owner);
      if (mine && lead)
        std::copy(data, data + p.count,
                  (moment == 0 ? whole_->expAvg(p.tensor)
                               : whole_->expAvgSq(p.tensor))
                          .begin() +
                      p.offset);
    }
    j += mine;
  }
  if (lead)
    whole_->setSteps(optimizer_->steps());
}

void DistributedTrainer::checkpointWritten() {
  if (zero_ == 1)
    whole_.reset();
}

namespace {
/// The exchange both losses share: every rank's features all-gathered,
/// `shard` (this rank's share over the whole batch: n rows, this rank's
/// first row, its count, the gathered features, their gradients) run, and
/// each rank's gradient of its share with respect to every rank's features
/// reduce-scattered to the owners, who sum them.
template <typename Shard>
LossShare exchange(Communicator &comm, int64_t batch, int64_t dim,
                   const float *image, const float *text, float *imageGrad,
                   float *textGrad, Shard shard) {
  const int64_t local = batch * dim;
  const size_t all = static_cast<size_t>(local * comm.size());
  std::vector<float> allImage(all), allText(all), dImage(all), dText(all);
  comm.allGather(image, allImage.data(), local);
  comm.allGather(text, allText.data(), local);
  LossShare share;
  shard(batch * comm.size(), batch * comm.rank(), allImage.data(),
        allText.data(), dImage.data(), dText.data(), share);
  comm.reduceScatterSum(dImage.data(), imageGrad, local);
  comm.reduceScatterSum(dText.data(), textGrad, local);
  return share;
}

/// The rows first .. first + batch of a loss over n gathered pairs: CLIP's
/// contrastive loss, or SigLIP's sigmoid loss when there is a bias.
void shardLoss(int64_t n, int64_t dim, int64_t first, int64_t batch,
               const float *a, const float *b, float logitScale,
               const float *logitBias, float epsilon, float *da, float *db,
               LossShare &share) {
  if (logitBias)
    cpu::sigmoidLossShard(n, dim, first, batch, a, b, logitScale, *logitBias,
                          epsilon, &share.loss, da, db, &share.logitScaleGrad,
                          &share.logitBiasGrad);
  else
    cpu::contrastiveLossShard(n, dim, first, batch, a, b, logitScale, epsilon,
                              &share.loss, da, db, &share.logitScaleGrad);
}
} // namespace

LossShare gatheredContrastiveLoss(Communicator &comm, int64_t batch,
                                  int64_t dim, const float *image,
                                  const float *text, float logitScale,
                                  float epsilon, float *imageGrad,
                                  float *textGrad) {
  return exchange(comm, batch, dim, image, text, imageGrad, textGrad,
                  [&](int64_t n, int64_t first, const float *a, const float *b,
                      float *da, float *db, LossShare &share) {
                    shardLoss(n, dim, first, batch, a, b, logitScale, nullptr,
                              epsilon, da, db, share);
                  });
}

LossShare gatheredSigmoidLoss(Communicator &comm, int64_t batch, int64_t dim,
                              const float *image, const float *text,
                              float logitScale, float logitBias,
                              float epsilon, float *imageGrad,
                              float *textGrad) {
  return exchange(comm, batch, dim, image, text, imageGrad, textGrad,
                  [&](int64_t n, int64_t first, const float *a, const float *b,
                      float *da, float *db, LossShare &share) {
                    shardLoss(n, dim, first, batch, a, b, logitScale,
                              &logitBias, epsilon, da, db, share);
                  });
}

LossShare DistributedTrainer::loss(int64_t batch, const float *image,
                                   const float *text, float *imageGrad,
                                   float *textGrad) {
  const LossShare share =
      logitBiasValue_
          ? gatheredSigmoidLoss(comm_, batch, dim_, image, text,
                                *logitScaleValue_, *logitBiasValue_,
                                static_cast<float>(epsilon_), imageGrad,
                                textGrad)
          : gatheredContrastiveLoss(comm_, batch, dim_, image, text,
                                    *logitScaleValue_,
                                    static_cast<float>(epsilon_), imageGrad,
                                    textGrad);
  loss_ = share.loss;
  scaleGradient_ = static_cast<float>(share.logitScaleGrad);
  biasGradient_ = static_cast<float>(share.logitBiasGrad);
  return share;
}

void DistributedTrainer::setBatch(const float *images, const int64_t *tokens) {
  float *imageTo = chunks_ > 1
                       ? images_.data()
                       : static_cast<float *>(embed_->input(imageInput_));
  int64_t *textTo = chunks_ > 1
                        ? tokens_.data()
                        : static_cast<int64_t *>(embed_->input(textInput_));
  std::copy(images, images + chunks_ * imageFloats_, imageTo);
  std::copy(tokens, tokens + chunks_ * textTokens_, textTo);
}

void DistributedTrainer::runBackward(const float *imageGrad,
                                     const float *textGrad) {
  const int64_t local = batch_ * dim_;
  std::copy(imageGrad, imageGrad + local,
            static_cast<float *>(backward_->input(imageGrad_)));
  std::copy(textGrad, textGrad + local,
            static_cast<float *>(backward_->input(textGrad_)));
  if (scaleGrad_ >= 0)
    *static_cast<float *>(backward_->input(scaleGrad_)) = scaleGradient_;
  if (biasGrad_ >= 0)
    *static_cast<float *>(backward_->input(biasGrad_)) = biasGradient_;
  for (auto [input, output] : saved_)
    backward_->bindInput(input, const_cast<void *>(embed_->output(output)));
  backward_->run();
}

void DistributedTrainer::runOnDevice() {
  gpu::CudaDriver &d = cudaEmbed_->driver();
  const int64_t local = batch_ * dim_, all = local * comm_.size();
  const auto bytes = [](int64_t floats) {
    return static_cast<size_t>(floats) * sizeof(float);
  };
  if (paramsChanged_) { // uploaded by the runs
    for (const ParamCopy &c : paramCopies_)
      std::memcpy(c.executor->param(c.index), params_.param(c.from),
                  static_cast<size_t>(c.bytes));
    paramsChanged_ = false;
  }
  embed_->run();
  // Every rank's features, on every GPU, then here for the loss.
  const CUstream embedStream = cudaEmbed_->stream();
  nccl_->allGather(cudaEmbed_->deviceOutput(imageFeatures_), gathered_, local,
                   embedStream);
  nccl_->allGather(cudaEmbed_->deviceOutput(textFeatures_),
                   gathered_ + bytes(all), local, embedStream);
  nccl_->synchronize();
  d.check(d.cuMemcpyDtoHAsync(hostGathered_.data(), gathered_, bytes(2 * all),
                              embedStream),
          "reading the gathered features");
  d.check(d.cuStreamSynchronize(embedStream), "reading the gathered features");
  LossShare share;
  shardLoss(batch_ * comm_.size(), dim_, batch_ * comm_.rank(), batch_,
            hostGathered_.data(), hostGathered_.data() + all, *logitScaleValue_,
            logitBiasValue_, static_cast<float>(epsilon_), hostGrads_.data(),
            hostGrads_.data() + all, share);
  loss_ = share.loss;
  scaleGradient_ = static_cast<float>(share.logitScaleGrad);
  biasGradient_ = static_cast<float>(share.logitBiasGrad);
  // Each rank's gradients of every rank's features, summed at the owners:
  // the backward's gradient inputs.
  const CUstream backwardStream = cudaBackward_->stream();
  d.check(d.cuMemcpyHtoDAsync(allGrads_, hostGrads_.data(), bytes(2 * all),
                              backwardStream),
          "sending the features' gradients");
  nccl_->reduceScatterSum(allGrads_, gradInputs_, local, backwardStream);
  nccl_->reduceScatterSum(allGrads_ + bytes(all), gradInputs_ + bytes(local),
                          local, backwardStream);
  if (scaleGrad_ >= 0)
    *static_cast<float *>(backward_->input(scaleGrad_)) = scaleGradient_;
  if (biasGrad_ >= 0)
    *static_cast<float *>(backward_->input(biasGrad_)) = biasGradient_;
  backward_->run();
  // The parameters' gradients summed over the GPUs in the backward's order,
  // in buckets, in place in the arena (gather() reads them).
  std::vector<std::pair<CUdeviceptr, int64_t>> grads;
  for (size_t t = trained_.size(); t-- > 0;)
    if (gradOutputs_[t] >= 0)
      grads.emplace_back(cudaBackward_->deviceOutput(gradOutputs_[t]),
                         counts_[t]);
  nccl_->allReduceSum(grads, bucketBytes_, backwardStream);
  nccl_->synchronize();
}

void DistributedTrainer::run() {
  if (nccl_)
    return runOnDevice();
  const int64_t local = batch_ * dim_, share = chunks_ * local;
  auto features = [&](int32_t output) {
    return static_cast<const float *>(embed_->output(output));
  };
  if (chunks_ == 1) {
    embed_->run();
    std::vector<float> grads(static_cast<size_t>(2 * local));
    loss(batch_, features(imageFeatures_), features(textFeatures_),
         grads.data(), grads.data() + local);
    runBackward(grads.data(), grads.data() + local);
    return;
  }
  // GradCache: the features of every chunk (their activations dropped as
  // the next chunk runs), the loss over the whole share, then every chunk
  // again with its rows of the features' gradients.
  auto loadChunk = [&](int64_t k) {
    std::copy_n(images_.data() + k * imageFloats_, imageFloats_,
                static_cast<float *>(embed_->input(imageInput_)));
    std::copy_n(tokens_.data() + k * textTokens_, textTokens_,
                static_cast<int64_t *>(embed_->input(textInput_)));
    embed_->run();
  };
  for (int64_t k = 0; k < chunks_; ++k) {
    loadChunk(k);
    std::copy_n(features(imageFeatures_), local, features_.data() + k * local);
    std::copy_n(features(textFeatures_), local,
                features_.data() + share + k * local);
  }
  loss(chunks_ * batch_, features_.data(), features_.data() + share,
       featureGrads_.data(), featureGrads_.data() + share);
  for (int64_t k = 0; k < chunks_; ++k) {
    loadChunk(k); // recomputed: the same inputs give the same activations
    runBackward(featureGrads_.data() + k * local,
                featureGrads_.data() + share + k * local);
    for (size_t t = 0; t < trained_.size(); ++t) {
      if (gradOutputs_[t] < 0)
        continue;
      const auto *g =
          static_cast<const float *>(backward_->output(gradOutputs_[t]));
      float *sum = chunkGrads_[t].data();
      for (int64_t i = 0; i < counts_[t]; ++i)
        sum[i] = k == 0 ? g[i] : sum[i] + g[i];
    }
  }
}

const float *DistributedTrainer::gradient(size_t t) {
  if (gradOutputs_[t] >= 0)
    return chunks_ > 1
               ? chunkGrads_[t].data()
               : static_cast<const float *>(backward_->output(gradOutputs_[t]));
  // logit_scale's (and logit_bias's) are the loss's own: no outputs of the
  // backward.
  if (static_cast<int32_t>(t) == logitScale_)
    return &scaleGradient_;
  if (static_cast<int32_t>(t) == logitBias_ && logitBiasValue_)
    return &biasGradient_;
  return nullptr; // the parameter does not reach the loss
}

float DistributedTrainer::gather(int64_t micro, int64_t accum) {
  for (size_t t = 0; t < trained_.size(); ++t) {
    float *s = sums_[t].data();
    const float *g = gradient(t);
    for (int64_t i = 0; i < counts_[t]; ++i) {
      const float value = !g ? 0.0f : accum == 1 ? g[i] : g[i] / accum;
      s[i] = (micro == 0 ? 0.0f : s[i]) + value;
    }
  }
  double loss = loss_;
  comm_.allReduceSum(&loss, 1);
  return static_cast<float>(loss / comm_.size());
}

void DistributedTrainer::update(double lr, double maxNorm) {
  const float inverse = 1.0f / static_cast<float>(comm_.size());
  // The backward's order is the reverse of the parameters'.
  if (nccl_) {
    // The backward's gradients were summed on the GPUs; the loss's own
    // (the logit scale's and bias's) are summed here.
    std::vector<std::pair<float *, int64_t>> tensors;
    for (size_t t = trained_.size(); t-- > 0;)
      if (gradOutputs_[t] < 0)
        tensors.emplace_back(sums_[t].data(), counts_[t]);
    comm_.allReduceSum(tensors, bucketBytes_);
  } else if (zero_ == 0) {
    std::vector<std::pair<float *, int64_t>> tensors;
    for (size_t t = trained_.size(); t-- > 0;)
      tensors.emplace_back(sums_[t].data(), counts_[t]);
    comm_.allReduceSum(tensors, bucketBytes_);
  } else {
    for (size_t k = pieces_.size(); k-- > 0;)
      comm_.reduceSum(sums_[pieces_[k].tensor].data() + pieces_[k].offset,
                      pieces_[k].count, pieces_[k].owner);
  }
  // From here on, only the owned pieces' gradients are the sums.
  double squares = 0.0;
  std::vector<const float *> grads;
  for (size_t k : owned_) {
    float *g = sums_[pieces_[k].tensor].data() + pieces_[k].offset;
    for (int64_t i = 0; i < pieces_[k].count; ++i) {
      if (comm_.size() > 1)
        g[i] *= inverse;
      squares += static_cast<double>(g[i]) * static_cast<double>(g[i]);
    }
    grads.push_back(g);
  }
  if (zero_ == 1)
    comm_.allReduceSum(&squares, 1);
  norm_ = std::sqrt(squares);
  if (maxNorm > 0 && norm_ > maxNorm) {
    const float scale = static_cast<float>(maxNorm / norm_);
    for (size_t k : owned_) {
      float *g = sums_[pieces_[k].tensor].data() + pieces_[k].offset;
      for (int64_t i = 0; i < pieces_[k].count; ++i)
        g[i] *= scale;
    }
  }
  optimizer_->step(grads, lr);
  for (size_t k : owned_)
    if (static_cast<int32_t>(pieces_[k].tensor) == logitScale_) {
      float &value = *trained_[logitScale_].value;
      value = std::clamp(value, 0.0f, std::log(100.0f));
    }
  if (zero_ == 1)
    for (const Piece &p : pieces_)
      comm_.broadcast(trained_[p.tensor].value + p.offset, p.count, p.owner);
  paramsChanged_ = true;
}

double DistributedTrainer::logitScale() {
  return std::exp(static_cast<double>(*logitScaleValue_));
}

} // namespace clip::dist
