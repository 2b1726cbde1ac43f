//===- Loader.h - Batches of preprocessed images and tokens -----*- C++ -*-===//
//
// Worker threads take (batch, slot) work items in order, load the sample
// (decode), preprocess it and tokenize its caption straight into the batch's
// buffers; up to `prefetchBatches` batches are in flight, and next() hands
// them out strictly in order. The sequence of batches is a pure function of
// (seed, source size, batch size, startBatch, shuffle, dropLast) and of the
// samples' contents, whatever the number of threads and their timing:
//   - epoch e visits the source in the order of a Fisher-Yates shuffle driven
//     by mt19937_64(seed + e) (identity when shuffle is off); batch b of the
//     epoch is positions [b * batchSize, (b + 1) * batchSize) of that order;
//     with dropLast the tail that does not fill a batch is left out, without
//     it the last batch is short;
//   - global batch g (counting from epoch 0) is batch g % batchesPerEpoch of
//     epoch g / batchesPerEpoch; the loader starts at g = startBatch, so a
//     run resumed with startBatch = k yields what the first run's (k+1)-th
//     next() and later ones yielded;
//   - a random crop draws from an RNG seeded by (seed, g, position);
//   - a sample with several captions (Sample::captions) gets one drawn from
//     that RNG's next number, so each step sees one caption of the image,
//     the same on a resumed run; so are patch dropout's kept patches.
// A sample whose get() or preprocessing throws DataError:
//   skipBad = false: next() throws a DataError naming it, when the batch
//     holding it is reached (the lowest such position of that batch);
//   skipBad = true: it is reported once on stderr, counted in stats().skipped
//     and replaced by the next sample of the epoch order (wrapping around)
//     that loads, so the sequence stays deterministic.
// The tokenizer is called from the worker threads, concurrently.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_DATA_LOADER_H
#define CLIP_RUNTIME_DATA_LOADER_H

#include "runtime/data/Preprocess.h"
#include "runtime/data/Sample.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace clip::data {

struct Batch {
  int64_t size = 0;
  std::vector<float> images;   // [size, 3, S, S]
  std::vector<int64_t> tokens; // [size, contextLength]
  std::vector<size_t> indices; // source index of each row
  std::vector<std::string> captions;
  /// Patch dropout: [size, patchesKept] distinct patch indices in [0,
  /// patches), ascending, per image (empty without).
  std::vector<int64_t> patchKeep;
  int64_t epoch = 0, batchInEpoch = 0, globalBatch = 0;
};

struct LoaderConfig {
  int64_t batchSize = 64;
  PreprocessConfig preprocess;
  int64_t contextLength = 77;
  int threads = 2;
  int prefetchBatches = 4;
  bool shuffle = true;
  uint64_t seed = 0;
  bool dropLast = true;
  bool skipBad = false;
  int64_t startBatch = 0; // for resume: skip this many batches of the sequence
  // Data-parallel: the sequence is of global batches of batchSize * shards
  // pairs, and this loader returns shard `shard`'s batchSize of each (the
  // same pairs, crops included, as one loader with the global batch). Needs
  // dropLast.
  int64_t shards = 1, shard = 0;
  // Patch dropout: each image keeps `patchesKept` of its `patches` patches,
  // drawn from the pair's random numbers (after its crop and caption).
  int64_t patches = 0, patchesKept = 0;
};

/// Writes contextLength token ids for `caption`; called concurrently. An
/// empty function leaves the token rows zero (image-only uses).
using Tokenize =
    std::function<void(const std::string &caption, int64_t *tokens)>;

/// The epoch order: a permutation of [0, size) (Fisher-Yates, mt19937_64
/// seeded with `seed`, unbiased bounded draws).
std::vector<size_t> shuffledOrder(size_t size, uint64_t seed);

class Loader {
public:
  /// `source` must outlive the loader. Throws std::invalid_argument for a bad
  /// configuration and DataError when the source holds no full batch.
  Loader(const SampleSource &source, LoaderConfig config, Tokenize tokenize);
  ~Loader(); // stops and joins the workers
  Loader(const Loader &) = delete;
  Loader &operator=(const Loader &) = delete;

  /// The next batch (blocks until it is ready); epochs continue forever.
  Batch next();
  /// The epoch of the batch next() returned last (of startBatch before).
  int64_t epoch() const;
  int64_t batchesPerEpoch() const;

  struct Stats {
    double waitSeconds = 0; // time next() spent blocked
    int64_t skipped = 0;    // bad samples replaced in the batches returned
    int64_t batches = 0;    // batches returned
  };
  Stats stats() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace clip::data

#endif // CLIP_RUNTIME_DATA_LOADER_H
