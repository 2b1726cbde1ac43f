//===- LoaderTest.cpp - Batches: order, determinism, resume, bad samples --===//
#include "runtime/data/Loader.h"
#include "TestFiles.h"
#include "runtime/data/FashionMnist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sys/stat.h>
#include <thread>

using namespace clip::data;
using clip::data::test::errorOf;

namespace {

/// Images whose pixels encode their index; `bad` ones throw. Odd indices
/// take a little longer, so that worker threads finish out of order.
class SyntheticSource final : public SampleSource {
public:
  explicit SyntheticSource(size_t n, std::set<size_t> bad = {},
                           int delayMicros = 0)
      : n_(n), bad_(std::move(bad)), delay_(delayMicros) {}

  size_t size() const override { return n_; }
  std::string where(size_t i) const override {
    return "synthetic #" + std::to_string(i);
  }
  Sample get(size_t i) const override {
    calls_.fetch_add(1);
    if (delay_ && i % 2)
      std::this_thread::sleep_for(
          std::chrono::microseconds(delay_ * (1 + i % 3)));
    if (bad_.count(i))
      throw DataError(where(i) + ": corrupt image");
    Sample s;
    s.image.height = 20 + i % 3;
    s.image.width = 17 + i % 5;
    s.image.channels = i % 4 == 0 ? 1 : 3;
    s.image.pixels.resize(s.image.height * s.image.width * s.image.channels);
    for (size_t p = 0; p < s.image.pixels.size(); ++p)
      s.image.pixels[p] = static_cast<uint8_t>(i * 31 + p * 7);
    s.caption = "caption " + std::to_string(i);
    s.where = where(i);
    return s;
  }
  int64_t calls() const { return calls_.load(); }

private:
  size_t n_;
  std::set<size_t> bad_;
  int delay_;
  mutable std::atomic<int64_t> calls_{0};
};

void tokenize(const std::string &caption, int64_t *tokens) {
  const int64_t index = std::stoll(caption.substr(8));
  for (int k = 0; k < 6; ++k)
    tokens[k] = index * 100 + k;
}

LoaderConfig smallConfig() {
  LoaderConfig config;
  config.batchSize = 5;
  config.preprocess.size = 12;
  config.contextLength = 6;
  config.threads = 2;
  config.prefetchBatches = 3;
  config.seed = 17;
  return config;
}

std::vector<Batch> take(const SampleSource &source, const LoaderConfig &config,
                        int count) {
  Loader loader(source, config, tokenize);
  std::vector<Batch> batches;
  for (int i = 0; i < count; ++i)
    batches.push_back(loader.next());
  return batches;
}

void expectSame(const std::vector<Batch> &a, const std::vector<Batch> &b,
                size_t offset = 0) {
  ASSERT_LE(b.size() + offset, a.size());
  for (size_t i = 0; i < b.size(); ++i) {
    const Batch &x = a[i + offset], &y = b[i];
    ASSERT_EQ(x.size, y.size) << "batch " << i;
    ASSERT_EQ(x.indices, y.indices) << "batch " << i;
    ASSERT_EQ(x.captions, y.captions) << "batch " << i;
    ASSERT_EQ(x.tokens, y.tokens) << "batch " << i;
    ASSERT_TRUE(x.images == y.images) << "batch " << i; // bit for bit
    ASSERT_EQ(x.globalBatch, y.globalBatch);
  }
}

} // namespace

TEST(Loader, BatchesHoldPreprocessedImagesTokensAndIndices) {
  const SyntheticSource source(23);
  LoaderConfig config = smallConfig();
  Loader loader(source, config, tokenize);
  EXPECT_EQ(loader.batchesPerEpoch(), 4); // 23 / 5, the tail is dropped
  const size_t floats = 3 * 12 * 12;
  std::vector<float> expected(floats);
  for (int b = 0; b < 6; ++b) {
    const Batch batch = loader.next();
    ASSERT_EQ(batch.size, 5);
    ASSERT_EQ(batch.images.size(), 5 * floats);
    ASSERT_EQ(batch.tokens.size(), 5u * 6);
    EXPECT_EQ(batch.epoch, b / 4);
    EXPECT_EQ(batch.batchInEpoch, b % 4);
    for (int64_t r = 0; r < batch.size; ++r) {
      const size_t index = batch.indices[r];
      EXPECT_EQ(batch.captions[r], "caption " + std::to_string(index));
      EXPECT_EQ(batch.tokens[r * 6 + 2], static_cast<int64_t>(index) * 100 + 2);
      preprocess(source.get(index).image, config.preprocess, expected.data());
      ASSERT_TRUE(std::equal(expected.begin(), expected.end(),
                             batch.images.begin() + r * floats))
          << "row " << r;
    }
    EXPECT_EQ(loader.epoch(), b / 4);
  }
}

TEST(Loader, EveryEpochIsAPermutationWithoutDropLast) {
  const SyntheticSource source(23);
  LoaderConfig config = smallConfig();
  config.dropLast = false;
  Loader loader(source, config, tokenize);
  ASSERT_EQ(loader.batchesPerEpoch(), 5);
  std::vector<std::vector<size_t>> orders;
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<size_t> seen;
    for (int b = 0; b < 5; ++b) {
      const Batch batch = loader.next();
      EXPECT_EQ(batch.size, b < 4 ? 5 : 3);
      seen.insert(seen.end(), batch.indices.begin(), batch.indices.end());
    }
    std::vector<size_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < 23; ++i)
      ASSERT_EQ(sorted[i], i) << "epoch " << epoch;
    orders.push_back(seen);
  }
  EXPECT_NE(orders[0], orders[1]); // a new shuffle per epoch
  EXPECT_NE(orders[1], orders[2]);
  // shuffle = false: the source order.
  config.shuffle = false;
  const std::vector<Batch> plain = take(source, config, 2);
  EXPECT_EQ(plain[0].indices, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(plain[1].indices, (std::vector<size_t>{5, 6, 7, 8, 9}));
}

TEST(Loader, SequenceIsTheSameWithOneOrManyThreads) {
  const SyntheticSource source(37, {}, 200);
  LoaderConfig config = smallConfig();
  config.preprocess.randomResizedCrop = true; // per-sample RNG, seeded
  config.threads = 1;
  config.prefetchBatches = 1;
  const std::vector<Batch> one = take(source, config, 20);
  config.threads = 3;
  config.prefetchBatches = 4;
  expectSame(one, take(source, config, 20));
  config.threads = 4;
  config.prefetchBatches = 2;
  expectSame(one, take(source, config, 20));
  // Another seed: another sequence.
  config.seed = 18;
  EXPECT_NE(take(source, config, 1)[0].indices, one[0].indices);
}

/// SyntheticSource whose sample i has i % 4 + 1 captions "caption i.k".
class ManyCaptions final : public SampleSource {
public:
  explicit ManyCaptions(size_t n) : inner(n) {}
  size_t size() const override { return inner.size(); }
  Sample get(size_t i) const override {
    Sample s = inner.get(i);
    for (size_t k = 0; k <= i % 4; ++k)
      s.captions.push_back("caption " + std::to_string(i) + "." +
                           std::to_string(k));
    s.caption = s.captions.front();
    if (s.captions.size() == 1)
      s.captions.clear();
    return s;
  }

private:
  SyntheticSource inner;
};

void tokenizeCaption(const std::string &caption, int64_t *tokens) {
  const size_t dot = caption.find('.');
  tokens[0] = std::stoll(caption.substr(8, dot - 8));
  tokens[1] = dot == std::string::npos ? -1 : std::stoll(caption.substr(dot + 1));
}

// Several captions an image: each step takes one, drawn from the pair's
// seed: the same on another run, thread count or resume; spread over the
// captions across epochs; and the crops of single-caption sources are
// what they were (the draw has its own stream).
TEST(Loader, PicksOneCaptionPerStepDeterministically) {
  const ManyCaptions source(24);
  LoaderConfig config = smallConfig();
  config.batchSize = 4;
  config.preprocess.randomResizedCrop = true;
  auto run = [&](int threads, int64_t start, int count) {
    LoaderConfig c = config;
    c.threads = threads;
    c.startBatch = start;
    Loader loader(source, c, tokenizeCaption);
    std::vector<Batch> out;
    for (int i = 0; i < count; ++i)
      out.push_back(loader.next());
    return out;
  };
  const std::vector<Batch> first = run(2, 0, 180); // 30 epochs of 6 batches
  expectSame(first, run(1, 0, 180));
  expectSame(first, run(3, 13, 47), 13);
  std::map<size_t, std::set<std::string>> seen;
  for (const Batch &b : first)
    for (int64_t r = 0; r < b.size; ++r) {
      const size_t i = b.indices[r];
      EXPECT_EQ(b.captions[r].rfind("caption " + std::to_string(i) + ".", 0),
                0u)
          << b.captions[r];
      EXPECT_EQ(b.tokens[r * config.contextLength], static_cast<int64_t>(i));
      seen[i].insert(b.captions[r]);
    }
  for (const auto &[i, captions] : seen)
    EXPECT_EQ(captions.size(), i % 4 + 1)
        << "sample " << i << " kept to " << captions.size() << " captions";
  // The images (crops) equal those of the same source with one caption.
  const SyntheticSource single(24);
  Loader plain(single, config, tokenize);
  for (int i = 0; i < 12; ++i)
    ASSERT_TRUE(plain.next().images == first[i].images) << "batch " << i;
}

// Patch dropout: each image keeps `patchesKept` distinct patches, sorted,
// drawn from the pair's random numbers: the same with any thread count and
// on resume, every patch kept about as often, and the crops unchanged.
TEST(Loader, PatchDropoutKeepsDistinctPatchesDeterministically) {
  const SyntheticSource source(20);
  LoaderConfig config = smallConfig();
  config.preprocess.randomResizedCrop = true;
  config.patches = 16;
  config.patchesKept = 5;
  const std::vector<Batch> first = take(source, config, 40);
  LoaderConfig other = config;
  other.threads = 1;
  other.startBatch = 7;
  const std::vector<Batch> resumed = take(source, other, 33);
  std::vector<int64_t> counts(16, 0);
  for (size_t b = 0; b < first.size(); ++b) {
    ASSERT_EQ(first[b].patchKeep.size(), 5u * first[b].size);
    if (b >= 7)
      ASSERT_EQ(first[b].patchKeep, resumed[b - 7].patchKeep) << "batch " << b;
    for (int64_t r = 0; r < first[b].size; ++r) {
      const int64_t *keep = &first[b].patchKeep[r * 5];
      for (int k = 0; k < 5; ++k) {
        ASSERT_TRUE(keep[k] >= 0 && keep[k] < 16);
        if (k)
          ASSERT_LT(keep[k - 1], keep[k]); // sorted, so distinct
        ++counts[keep[k]];
      }
    }
  }
  // 40 batches x 5 images x 5 kept = 1000 draws over 16 patches: 62.5 each.
  for (int64_t c : counts)
    EXPECT_TRUE(c > 30 && c < 100) << c;
  LoaderConfig plain = config;
  plain.patches = plain.patchesKept = 0;
  const std::vector<Batch> noDrop = take(source, plain, 5);
  for (int b = 0; b < 5; ++b)
    ASSERT_TRUE(noDrop[b].images == first[b].images) << "batch " << b;
}

TEST(Loader, ResumeWithStartBatchContinuesTheSequence) {
  const SyntheticSource source(37);
  LoaderConfig config = smallConfig();
  config.preprocess.randomResizedCrop = true;
  const std::vector<Batch> full =
      take(source, config, 17); // crosses epochs (7 per epoch)
  for (int64_t start : {1, 6, 7, 12}) {
    config.startBatch = start;
    Loader loader(source, config, tokenize);
    EXPECT_EQ(loader.epoch(), start / 7);
    std::vector<Batch> resumed;
    for (int64_t i = start; i < 17; ++i)
      resumed.push_back(loader.next());
    expectSame(full, resumed, static_cast<size_t>(start));
  }
}

// Data-parallel shards: shard k's batches are the k-th slices of the
// global batches, random crops included, bit for bit, across epochs and
// after a resume.
TEST(Loader, ShardsSliceTheGlobalBatches) {
  const SyntheticSource source(37);
  LoaderConfig config = smallConfig();
  config.preprocess.randomResizedCrop = true;
  config.batchSize = 6;
  const std::vector<Batch> whole = take(source, config, 14); // 6 an epoch
  const size_t floats = 3 * 12 * 12;
  for (int64_t shards : {2, 3}) {
    for (int64_t start : {0, 5}) {
      for (int64_t k = 0; k < shards; ++k) {
        LoaderConfig sharded = config;
        sharded.batchSize = 6 / shards;
        sharded.shards = shards;
        sharded.shard = k;
        sharded.startBatch = start;
        Loader loader(source, sharded, tokenize);
        EXPECT_EQ(loader.batchesPerEpoch(), 6);
        for (int64_t b = start; b < 14; ++b) {
          const Batch part = loader.next();
          const Batch &all = whole[b];
          const int64_t m = sharded.batchSize;
          ASSERT_EQ(part.size, m);
          EXPECT_EQ(part.epoch, all.epoch);
          for (int64_t r = 0; r < m; ++r) {
            const int64_t at = k * m + r;
            ASSERT_EQ(part.indices[r], all.indices[at])
                << shards << " shards, shard " << k << ", batch " << b;
            ASSERT_TRUE(std::equal(part.images.begin() + r * floats,
                                   part.images.begin() + (r + 1) * floats,
                                   all.images.begin() + at * floats));
            ASSERT_TRUE(std::equal(part.tokens.begin() + r * 6,
                                   part.tokens.begin() + (r + 1) * 6,
                                   all.tokens.begin() + at * 6));
          }
        }
      }
    }
  }
  LoaderConfig bad = config;
  bad.shards = 2;
  bad.shard = 2;
  EXPECT_THROW(Loader(source, bad, tokenize), std::invalid_argument);
  bad.shard = 1;
  bad.dropLast = false;
  EXPECT_THROW(Loader(source, bad, tokenize), std::invalid_argument);
}

TEST(Loader, BadSampleThrowsWhenItsBatchIsReached) {
  const SyntheticSource source(20, {9, 11});
  LoaderConfig config = smallConfig();
  config.batchSize = 4;
  config.shuffle = false;
  for (int threads : {1, 3}) {
    config.threads = threads;
    Loader loader(source, config, tokenize);
    EXPECT_EQ(loader.next().indices, (std::vector<size_t>{0, 1, 2, 3}));
    EXPECT_EQ(loader.next().indices, (std::vector<size_t>{4, 5, 6, 7}));
    // Batch 2 holds 9 and 11: the lower position is reported.
    const std::string e = errorOf([&] { loader.next(); });
    EXPECT_NE(e.find("synthetic #9: corrupt image"), std::string::npos) << e;
    // The loader goes on with the next batch.
    EXPECT_EQ(loader.next().indices, (std::vector<size_t>{12, 13, 14, 15}));
  }
}

TEST(Loader, SkipBadReplacesDeterministicallyAndReportsOnce) {
  const std::set<size_t> bad = {3, 7, 8};
  const SyntheticSource source(30, bad, 100);
  LoaderConfig config = smallConfig();
  config.skipBad = true;
  config.threads = 1;
  ::testing::internal::CaptureStderr();
  std::vector<Batch> one;
  int64_t skipped = 0;
  {
    Loader loader(source, config, tokenize);
    for (int i = 0; i < 18; ++i) // three epochs of 6
      one.push_back(loader.next());
    skipped = loader.stats().skipped;
    EXPECT_EQ(loader.stats().batches, 18);
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  for (const Batch &batch : one)
    for (size_t index : batch.indices)
      ASSERT_EQ(bad.count(index), 0u)
          << "bad sample " << index << " in a batch";
  // 3 bad samples per epoch, each replaced (8 may follow 7 in the order and
  // be tried twice), three epochs.
  EXPECT_GE(skipped, 9);
  for (size_t b : bad) {
    const std::string name = "synthetic #" + std::to_string(b) + ":";
    size_t count = 0;
    for (size_t at = log.find(name); at != std::string::npos;
         at = log.find(name, at + 1))
      ++count;
    EXPECT_EQ(count, 1u) << name << " in:\n" << log;
  }
  config.threads = 3;
  config.prefetchBatches = 2;
  ::testing::internal::CaptureStderr();
  {
    Loader loader(source, config, tokenize);
    std::vector<Batch> three;
    for (int i = 0; i < 18; ++i)
      three.push_back(loader.next());
    expectSame(one, three);
    EXPECT_EQ(loader.stats().skipped, skipped);
  }
  ::testing::internal::GetCapturedStderr();
}

TEST(Loader, AllBadWithSkipBadIsAnError) {
  const SyntheticSource source(6, {0, 1, 2, 3, 4, 5});
  LoaderConfig config = smallConfig();
  config.skipBad = true;
  ::testing::internal::CaptureStderr();
  Loader loader(source, config, tokenize);
  const std::string e = errorOf([&] { loader.next(); });
  ::testing::internal::GetCapturedStderr();
  EXPECT_NE(e.find("every one of the 6 samples failed"), std::string::npos)
      << e;
}

TEST(Loader, ConfigurationErrors) {
  const SyntheticSource source(4);
  LoaderConfig config = smallConfig();
  EXPECT_NE(errorOf([&] {
              Loader loader(source, config, tokenize);
            }).find("4 samples, fewer than one batch of 5"),
            std::string::npos);
  config.dropLast = false; // one short batch is fine then
  {
    Loader loader(source, config, tokenize);
    EXPECT_EQ(loader.next().size, 4);
  }
  const SyntheticSource empty(0);
  EXPECT_THROW(Loader loader(empty, config, tokenize), DataError);
  for (auto breakIt : std::vector<std::function<void(LoaderConfig &)>>{
           [](LoaderConfig &c) { c.batchSize = 0; },
           [](LoaderConfig &c) { c.threads = 0; },
           [](LoaderConfig &c) { c.prefetchBatches = 0; },
           [](LoaderConfig &c) { c.contextLength = 0; },
           [](LoaderConfig &c) { c.startBatch = -1; },
           [](LoaderConfig &c) { c.preprocess.size = 0; }}) {
    LoaderConfig bad = smallConfig();
    breakIt(bad);
    EXPECT_THROW(Loader loader(source, bad, tokenize), std::invalid_argument);
  }
}

TEST(Loader, DestroyedWhileWorkersAreBusy) {
  const SyntheticSource source(200, {}, 2000);
  LoaderConfig config = smallConfig();
  config.threads = 3;
  config.prefetchBatches = 8;
  const auto start = std::chrono::steady_clock::now();
  {
    Loader loader(source, config, tokenize);
    loader.next();
  } // joins: the workers stop after their current sample
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  // Prefetching is bounded: at most prefetchBatches batches were loaded.
  EXPECT_LE(source.calls(), 5 * (1 + 8));
}

TEST(Loader, FashionMnistThroughput) {
  struct stat st;
  if (::stat(kFashionMnistDirectory, &st) != 0)
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const auto source = openFashionMnist("", true, 0);
  LoaderConfig config;
  config.batchSize = 256;
  config.preprocess.size = 32;
  config.contextLength = 77;
  config.threads = 2;
  Loader loader(*source, config,
                [](const std::string &caption, int64_t *tokens) {
                  tokens[0] = static_cast<int64_t>(caption.size());
                });
  EXPECT_EQ(loader.batchesPerEpoch(), 234);
  const auto start = std::chrono::steady_clock::now();
  int64_t images = 0;
  for (int i = 0; i < 20; ++i) {
    const Batch batch = loader.next();
    ASSERT_EQ(batch.images.size(), 256u * 3 * 32 * 32);
    images += batch.size;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf(
      "[ info ] Fashion-MNIST at 32x32, 2 threads: %.0f images/s (next() "
      "waited %.3f s)\n",
      images / seconds, loader.stats().waitSeconds);
}
