//===- Loader.cpp - Worker threads filling batches in order ---------------===//
#include "runtime/data/Loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <map>
#include <numeric>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace clip::data {

namespace {

/// Uniform in [0, bound), without modulo bias.
uint64_t below(std::mt19937_64 &rng, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t r;
  do
    r = rng();
  while (r >= limit);
  return r % bound;
}

} // namespace

std::vector<size_t> shuffledOrder(size_t size, uint64_t seed) {
  std::vector<size_t> order(size);
  for (size_t i = 0; i < size; ++i)
    order[i] = i;
  std::mt19937_64 rng(seed);
  for (size_t i = size; i > 1; --i)
    std::swap(order[i - 1], order[below(rng, i)]);
  return order;
}

struct Loader::Impl {
  const SampleSource &source;
  const LoaderConfig config;
  const Tokenize tokenize;
  const size_t sourceSize;
  const int64_t globalBatch; // batchSize * shards
  const int64_t perEpoch;    // batches per epoch
  const size_t imageFloats;  // 3 * S * S

  struct Slot {
    int64_t batch = -1; // global batch held, -1 when free
    int64_t size = 0, remaining = 0;
    Batch data;
    std::exception_ptr error;
    int64_t errorPosition = -1;
    int64_t skipped = 0;
    bool allocated = false;  // the buffers are sized for this batch
    bool allocating = false; // position 0's worker is allocating them
  };

  mutable std::mutex mutex;
  std::condition_variable workAvailable, batchReady;
  std::vector<Slot> slots;
  int64_t returned;                  // next global batch next() returns
  int64_t claimBatch, claimPosition; // next work item
  bool stopping = false;
  Stats totals;
  int64_t lastEpoch;

  std::mutex orderMutex;
  std::map<int64_t, std::shared_ptr<const std::vector<size_t>>> orders;

  std::mutex reportMutex;
  std::set<size_t> reported;

  std::vector<std::thread> workers;

  Impl(const SampleSource &source, LoaderConfig cfg, Tokenize tok)
      : source(source), config(std::move(cfg)), tokenize(std::move(tok)),
        sourceSize(source.size()),
        globalBatch(config.batchSize * std::max<int64_t>(config.shards, 1)),
        perEpoch(globalBatch <= 0
                     ? 0
                     : static_cast<int64_t>(
                           config.dropLast
                               ? sourceSize / globalBatch
                               : (sourceSize + globalBatch - 1) / globalBatch)),
        imageFloats(
            3 *
            static_cast<size_t>(std::max<int64_t>(config.preprocess.size, 0)) *
            static_cast<size_t>(std::max<int64_t>(config.preprocess.size, 0))),
        returned(config.startBatch), claimBatch(config.startBatch),
        claimPosition(0) {
    lastEpoch = perEpoch > 0 ? config.startBatch / perEpoch : 0;
  }

  int64_t batchSizeOf(int64_t global) const {
    const int64_t inEpoch = global % perEpoch;
    return std::min<int64_t>(config.batchSize,
                             static_cast<int64_t>(sourceSize) -
                                 inEpoch * config.batchSize);
  }

  std::shared_ptr<const std::vector<size_t>> orderOf(int64_t epoch) {
    std::lock_guard<std::mutex> lock(orderMutex);
    auto it = orders.find(epoch);
    if (it != orders.end())
      return it->second;
    // Epochs before the one next() is in are never needed again.
    int64_t oldest;
    {
      std::lock_guard<std::mutex> stateLock(mutex);
      oldest = returned / perEpoch;
    }
    for (auto old = orders.begin(); old != orders.end() && old->first < oldest;)
      old = orders.erase(old);
    auto order = std::make_shared<const std::vector<size_t>>(
        shuffledOrder(sourceSize, config.seed + static_cast<uint64_t>(epoch)));
    orders.emplace(epoch, order);
    return order;
  }

  /// Stops and joins the workers (each finishes the sample in hand).
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    workAvailable.notify_all();
    for (std::thread &worker : workers)
      worker.join();
    workers.clear();
  }

  void report(size_t index, const char *what) {
    std::lock_guard<std::mutex> lock(reportMutex);
    if (reported.insert(index).second)
      std::fprintf(stderr, "data: skipping a bad sample: %s\n", what);
  }

  /// Loads item (global, position) into the slot's buffers; returns the
  /// number of bad samples skipped. Throws what is not skipped.
  int64_t fill(Slot &slot, int64_t global, int64_t position) {
    const int64_t epoch = global / perEpoch;
    // Where the pair is in the global batch: the order and the crop's
    // random numbers depend on it alone, not on the shard count.
    const int64_t inGlobal = config.shard * config.batchSize + position;
    const uint64_t first =
        static_cast<uint64_t>((global % perEpoch) * globalBatch + inGlobal);
    std::shared_ptr<const std::vector<size_t>> order;
    if (config.shuffle)
      order = orderOf(epoch);
    std::mt19937_64 rng(splitMix(splitMix(config.seed ^ splitMix(epoch)) ^
                                 static_cast<uint64_t>(global)) ^
                        static_cast<uint64_t>(inGlobal));
    int64_t skipped = 0;
    for (uint64_t attempt = 0; attempt < sourceSize; ++attempt) {
      const uint64_t at = (first + attempt) % sourceSize;
      const size_t index = order ? (*order)[at] : at;
      try {
        Sample sample = source.get(index);
        try {
          preprocess(sample.image, config.preprocess,
                     slot.data.images.data() + position * imageFloats, &rng);
        } catch (const DataError &error) {
          throw DataError(fmt::format("{}: {}", sample.where, error.what()));
        }
        // Several captions: one per step, drawn from its own stream of the
        // pair's seed so that the crop's random numbers stay as they were.
        if (sample.captions.size() > 1) {
          std::mt19937_64 pick(rng() ^ 0x63617074696f6e73ULL); // "captions"
          sample.caption = sample.captions[below(pick, sample.captions.size())];
        }
        if (config.patchesKept > 0) {
          // A uniform subset: the first `kept` of a partial Fisher-Yates.
          std::vector<int64_t> order(config.patches);
          std::iota(order.begin(), order.end(), int64_t{0});
          for (int64_t k = 0; k < config.patchesKept; ++k)
            std::swap(order[k],
                      order[k + below(rng, config.patches - k)]);
          std::sort(order.begin(), order.begin() + config.patchesKept);
          std::copy(order.begin(), order.begin() + config.patchesKept,
                    slot.data.patchKeep.begin() +
                        position * config.patchesKept);
        }
        if (tokenize)
          tokenize(sample.caption,
                   slot.data.tokens.data() + position * config.contextLength);
        slot.data.indices[position] = index;
        slot.data.captions[position] = std::move(sample.caption);
        return skipped;
      } catch (const DataError &error) {
        if (!config.skipBad)
          throw;
        report(index, error.what());
        ++skipped;
      }
    }
    throw DataError(fmt::format("every one of the {} samples failed to load "
                                "(skipBad): nothing to fill batch {} with",
                                sourceSize, global));
  }

  void work() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      workAvailable.wait(lock, [&] {
        return stopping ||
               claimBatch < returned + static_cast<int64_t>(slots.size());
      });
      if (stopping)
        return;
      const int64_t global = claimBatch, position = claimPosition;
      const int64_t size = batchSizeOf(global);
      if (++claimPosition == size) {
        ++claimBatch;
        claimPosition = 0;
      }
      Slot &slot = slots[global % slots.size()];
      std::exception_ptr error;
      if (position == 0) {
        // The slot is free (batch global - slots.size() was returned). Its
        // buffers are allocated outside the lock (a batch of 224x224 images
        // is ~150 MB); the batch's other items wait for them.
        slot.batch = global;
        slot.size = slot.remaining = size;
        slot.error = nullptr;
        slot.errorPosition = -1;
        slot.skipped = 0;
        slot.allocated = false;
        slot.allocating = true;
        lock.unlock();
        Batch fresh;
        try {
          fresh.size = size;
          fresh.images.resize(size * imageFloats);
          fresh.tokens.resize(size * config.contextLength);
          fresh.indices.resize(size);
          fresh.captions.resize(size);
          fresh.patchKeep.resize(size * config.patchesKept);
          fresh.globalBatch = global;
          fresh.epoch = global / perEpoch;
          fresh.batchInEpoch = global % perEpoch;
        } catch (...) {
          error = std::current_exception();
        }
        lock.lock();
        slot.data = std::move(fresh);
        slot.allocated = !error;
        slot.allocating = false;
        workAvailable.notify_all();
      } else {
        workAvailable.wait(lock, [&] { return !slot.allocating; });
      }
      int64_t skipped = 0;
      // Every item is loaded even after another one failed: which error
      // next() reports (the lowest position) must not depend on timing.
      if (slot.allocated) {
        lock.unlock();
        try {
          skipped = fill(slot, global, position);
        } catch (...) {
          error = std::current_exception();
        }
        lock.lock();
      }
      slot.skipped += skipped;
      if (error && (slot.errorPosition < 0 || position < slot.errorPosition)) {
        slot.error = error;
        slot.errorPosition = position;
      }
      if (--slot.remaining == 0)
        batchReady.notify_all();
    }
  }
};

Loader::Loader(const SampleSource &source, LoaderConfig config,
               Tokenize tokenize) {
  if (config.batchSize <= 0)
    throw std::invalid_argument(fmt::format(
        "loader: batch size {} must be positive", config.batchSize));
  if (config.contextLength <= 0)
    throw std::invalid_argument(fmt::format(
        "loader: context length {} must be positive", config.contextLength));
  if (config.threads <= 0)
    throw std::invalid_argument(
        fmt::format("loader: {} threads (at least 1)", config.threads));
  if (config.prefetchBatches <= 0)
    throw std::invalid_argument(fmt::format(
        "loader: {} prefetched batches (at least 1)", config.prefetchBatches));
  if (config.startBatch < 0)
    throw std::invalid_argument(fmt::format(
        "loader: start batch {} must not be negative", config.startBatch));
  if (config.preprocess.size <= 0)
    throw std::invalid_argument(fmt::format(
        "loader: image size {} must be positive", config.preprocess.size));
  if (config.shards < 1 || config.shard < 0 || config.shard >= config.shards)
    throw std::invalid_argument(fmt::format(
        "loader: shard {} of {} does not exist", config.shard, config.shards));
  if (config.shards > 1 && !config.dropLast)
    throw std::invalid_argument(
        "loader: sharded batches need dropLast (every shard a full batch)");
  if (config.patchesKept < 0 || config.patchesKept > config.patches ||
      (config.patchesKept > 0 && config.patches <= 0))
    throw std::invalid_argument(fmt::format(
        "loader: keeping {} of {} patches", config.patchesKept,
        config.patches));
  impl_ =
      std::make_unique<Impl>(source, std::move(config), std::move(tokenize));
  if (impl_->perEpoch == 0)
    throw DataError(
        fmt::format("loader: the data set has {} samples, fewer "
                    "than one batch of {}{}",
                    impl_->sourceSize, impl_->globalBatch,
                    impl_->sourceSize ? " (and dropLast is set)" : ""));
  impl_->slots.resize(impl_->config.prefetchBatches);
  try {
    for (int i = 0; i < impl_->config.threads; ++i)
      impl_->workers.emplace_back([impl = impl_.get()] { impl->work(); });
  } catch (...) { // a thread could not start: stop the others
    impl_->stop();
    throw;
  }
}

Loader::~Loader() { impl_->stop(); }

Batch Loader::next() {
  Impl &impl = *impl_;
  std::unique_lock<std::mutex> lock(impl.mutex);
  const int64_t global = impl.returned;
  Impl::Slot &slot = impl.slots[global % impl.slots.size()];
  auto ready = [&] { return slot.batch == global && slot.remaining == 0; };
  if (!ready()) {
    const auto start = std::chrono::steady_clock::now();
    impl.batchReady.wait(lock, ready);
    impl.totals.waitSeconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  }
  Batch batch = std::move(slot.data);
  slot.data = Batch();
  const std::exception_ptr error = slot.error;
  impl.totals.skipped += slot.skipped;
  impl.totals.batches += 1;
  slot.batch = -1;
  slot.error = nullptr;
  impl.lastEpoch = global / impl.perEpoch;
  ++impl.returned;
  lock.unlock();
  impl.workAvailable.notify_all();
  if (error)
    std::rethrow_exception(error);
  return batch;
}

int64_t Loader::epoch() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->lastEpoch;
}

int64_t Loader::batchesPerEpoch() const { return impl_->perEpoch; }

Loader::Stats Loader::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->totals;
}

} // namespace clip::data
