//===- FashionMnistTest.cpp - IDX files, Debian's data, captions ----------===//
#include "runtime/data/FashionMnist.h"
#include "runtime/data/Captions.h"

#include "TestFiles.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <functional>
#include <map>
#include <set>
#include <sys/stat.h>

using namespace clip::data;
using namespace clip::data::test;

namespace {

bool haveDebianFiles() {
  struct stat st;
  return ::stat((std::string(kFashionMnistDirectory) +
                 "/train-images-idx3-ubyte.gz")
                    .c_str(),
                &st) == 0;
}

std::vector<uint8_t> idx(uint8_t type, std::vector<uint32_t> dims,
                         size_t dataBytes, uint8_t fill = 0) {
  std::vector<uint8_t> out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8)
      out.push_back(static_cast<uint8_t>(d >> s));
  out.resize(out.size() + dataBytes, fill);
  return out;
}

std::vector<uint8_t> gzip(const std::vector<uint8_t> &data) {
  z_stream stream{};
  deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::vector<uint8_t> out(deflateBound(&stream, data.size()) + 64);
  stream.next_in = const_cast<Bytef *>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

/// A directory holding a small valid split (3 images 2x2) that tests break.
struct SmallSplit {
  ScratchDir dir;
  std::vector<uint8_t> images = idx(8, {3, 2, 2}, 12, 7);
  std::vector<uint8_t> labels = {0, 0, 8, 1, 0, 0, 0, 3, 4, 9, 0};
  void write(bool gz = true) {
    const std::string suffix = gz ? ".gz" : "";
    dir.write("t10k-images-idx3-ubyte" + suffix, gz ? gzip(images) : images);
    dir.write("t10k-labels-idx1-ubyte" + suffix, gz ? gzip(labels) : labels);
  }
};

} // namespace

TEST(FashionMnist, DebianTrainAndTestSplits) {
  if (!haveDebianFiles())
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const LabeledImages train = loadFashionMnist("", true);
  EXPECT_EQ(train.count, 60000);
  EXPECT_EQ(train.height, 28);
  EXPECT_EQ(train.width, 28);
  EXPECT_EQ(train.pixels.size(), 60000u * 28 * 28);
  std::map<int64_t, int> perClass;
  for (int64_t label : train.labels)
    ++perClass[label];
  ASSERT_EQ(perClass.size(), 10u);
  for (const auto &[label, n] : perClass) {
    EXPECT_GE(label, 0);
    EXPECT_LT(label, 10);
    EXPECT_EQ(n, 6000) << "class " << label;
  }
  const LabeledImages test = loadFashionMnist(kFashionMnistDirectory, false);
  EXPECT_EQ(test.count, 10000);
  EXPECT_EQ(test.labels.size(), 10000u);
  // Known first labels of the published files: train 9 (ankle boot), 0, 0, 3;
  // test 9, 2, 1, 1.
  EXPECT_EQ(
      std::vector<int64_t>(train.labels.begin(), train.labels.begin() + 4),
      (std::vector<int64_t>{9, 0, 0, 3}));
  EXPECT_EQ(std::vector<int64_t>(test.labels.begin(), test.labels.begin() + 4),
            (std::vector<int64_t>{9, 2, 1, 1}));
}

TEST(FashionMnist, SampleSourceGivesGrayImagesAndCaptions) {
  if (!haveDebianFiles())
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const auto source = openFashionMnist("", false, 7);
  ASSERT_EQ(source->size(), 10000u);
  const LabeledImages test = loadFashionMnist("", false);
  for (size_t i : {size_t(0), size_t(1), size_t(9999)}) {
    const Sample sample = source->get(i);
    EXPECT_EQ(sample.image.height, 28);
    EXPECT_EQ(sample.image.channels, 1);
    EXPECT_TRUE(std::equal(sample.image.pixels.begin(),
                           sample.image.pixels.end(),
                           test.pixels.begin() + i * 784));
    const std::string &name = fashionMnistClasses()[test.labels[i]];
    EXPECT_NE(sample.caption.find(name), std::string::npos) << sample.caption;
    EXPECT_NE(sample.where.find(std::to_string(i)), std::string::npos);
    EXPECT_EQ(source->get(i).caption, sample.caption); // deterministic
  }
  // Another seed picks other templates for some images.
  const auto other = openFashionMnist("", false, 8);
  int differ = 0;
  for (size_t i = 0; i < 50; ++i)
    differ += other->get(i).caption != source->get(i).caption;
  EXPECT_GT(differ, 25);
  EXPECT_NE(errorOf([&] { source->get(10000); }).find("out of range"),
            std::string::npos);
}

TEST(FashionMnist, SmallSplitGzippedAndPlain) {
  for (bool gz : {true, false}) {
    SmallSplit split;
    split.write(gz);
    const LabeledImages data = loadFashionMnist(split.dir.path(), false);
    EXPECT_EQ(data.count, 3);
    EXPECT_EQ(data.height, 2);
    EXPECT_EQ(data.labels, (std::vector<int64_t>{4, 9, 0}));
    EXPECT_EQ(data.pixels, std::vector<uint8_t>(12, 7));
  }
}

TEST(FashionMnist, CorruptFilesNameFileAndField) {
  {
    SmallSplit split;
    split.images[2] = 0x0D; // float element type
    split.write();
    const std::string e =
        errorOf([&] { loadFashionMnist(split.dir.path(), false); });
    EXPECT_NE(e.find("t10k-images-idx3-ubyte.gz"), std::string::npos) << e;
    EXPECT_NE(e.find("element type 0x0d"), std::string::npos) << e;
  }
  {
    SmallSplit split;
    split.images[3] = 2; // rank
    split.write();
    const std::string e =
        errorOf([&] { loadFashionMnist(split.dir.path(), false); });
    EXPECT_NE(e.find("rank 2, expected 3"), std::string::npos) << e;
  }
  {
    SmallSplit split;
    split.images.pop_back(); // one byte short
    split.write();
    const std::string e =
        errorOf([&] { loadFashionMnist(split.dir.path(), false); });
    EXPECT_NE(e.find("IDX data"), std::string::npos) << e;
    EXPECT_NE(e.find("truncated"), std::string::npos) << e;
  }
  {
    SmallSplit split;
    split.images.push_back(0); // one byte too many
    split.write();
    EXPECT_NE(errorOf([&] {
                loadFashionMnist(split.dir.path(), false);
              }).find("need 12 bytes"),
              std::string::npos);
  }
  {
    SmallSplit split;
    split.labels = {0, 0, 8, 1, 0, 0, 0, 2, 4, 9}; // 2 labels for 3 images
    split.write();
    const std::string e =
        errorOf([&] { loadFashionMnist(split.dir.path(), false); });
    EXPECT_NE(e.find("t10k-labels-idx1-ubyte.gz"), std::string::npos) << e;
    EXPECT_NE(e.find("2 labels"), std::string::npos) << e;
  }
  {
    SmallSplit split;
    split.labels.back() = 10; // label out of range
    split.write();
    const std::string e =
        errorOf([&] { loadFashionMnist(split.dir.path(), false); });
    EXPECT_NE(e.find("label 2 (offset 10) is 10"), std::string::npos) << e;
  }
  {
    SmallSplit split;
    split.write();
    // A truncated gzip stream.
    std::vector<uint8_t> gz = gzip(split.images);
    gz.resize(gz.size() - 10);
    split.dir.write("t10k-images-idx3-ubyte.gz", gz);
    const std::string e =
        errorOf([&] { loadFashionMnist(split.dir.path(), false); });
    EXPECT_NE(e.find("truncated gzip"), std::string::npos) << e;
  }
  {
    SmallSplit split;
    split.write();
    std::vector<uint8_t> gz = gzip(split.images);
    gz[gz.size() / 2] ^= 0xFF;
    gz[gz.size() / 2 + 1] ^= 0xFF;
    split.dir.write("t10k-images-idx3-ubyte.gz", gz);
    const std::string e =
        errorOf([&] { loadFashionMnist(split.dir.path(), false); });
    EXPECT_NE(e.find("t10k-images-idx3-ubyte.gz"), std::string::npos) << e;
  }
  {
    // 2^9 x 2^28 x 2^28 wraps a 64-bit product to 0, which a header-only
    // file matched before the bound was checked ahead of each multiply
    // (found by the idx fuzzer).
    SmallSplit split;
    split.images = idx(8, {1u << 9, 1u << 28, 1u << 28}, 0);
    split.write();
    const std::string e =
        errorOf([&] { loadFashionMnist(split.dir.path(), false); });
    EXPECT_NE(e.find("more than 2^40 elements"), std::string::npos) << e;
  }
  {
    ScratchDir empty;
    const std::string e =
        errorOf([&] { loadFashionMnist(empty.path(), true); });
    EXPECT_NE(e.find("train-images-idx3-ubyte.gz: not found"),
              std::string::npos)
        << e;
  }
}

TEST(FashionMnist, CorruptCopiesOfTheRealFiles) {
  if (!haveDebianFiles())
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const std::vector<uint8_t> images = readMaybeGzip(
      std::string(kFashionMnistDirectory) + "/t10k-images-idx3-ubyte.gz");
  const std::vector<uint8_t> labels = readMaybeGzip(
      std::string(kFashionMnistDirectory) + "/t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(images.size(), 16u + 10000 * 784);
  // Cut the images in the middle of an image: the count no longer fits.
  ScratchDir dir;
  dir.write("t10k-images-idx3-ubyte",
            std::vector<uint8_t>(images.begin(),
                                 images.begin() + 16 + 5000 * 784 + 100));
  dir.write("t10k-labels-idx1-ubyte", labels);
  const std::string e = errorOf([&] { loadFashionMnist(dir.path(), false); });
  EXPECT_NE(e.find("dims 10000x28x28 need 7840000 bytes"), std::string::npos)
      << e;
  // Swap the files: the magic says which is which.
  ScratchDir swapped;
  swapped.write("t10k-images-idx3-ubyte", labels);
  swapped.write("t10k-labels-idx1-ubyte", images);
  EXPECT_NE(errorOf([&] {
              loadFashionMnist(swapped.path(), false);
            }).find("rank 1, expected 3"),
            std::string::npos);
}

TEST(Captions, TemplatesAndClasses) {
  const auto &templates = captionTemplates();
  EXPECT_GE(templates.size(), 12u);
  std::set<std::string> unique(templates.begin(), templates.end());
  EXPECT_EQ(unique.size(), templates.size());
  for (const std::string &t : templates) {
    const size_t at = t.find("{}");
    ASSERT_NE(at, std::string::npos) << t;
    EXPECT_EQ(t.find("{}", at + 1), std::string::npos) << t;
  }
  EXPECT_EQ(makeCaption("sneaker", 0), "a photo of a sneaker.");
  EXPECT_EQ(makeCaption("ankle boot", 1),
            "an ankle boot on a plain background.");
  EXPECT_EQ(makeCaption("ankle boot", 4), "a product photo of the ankle boot.");
  EXPECT_THROW(makeCaption("bag", templates.size()), std::out_of_range);
  EXPECT_EQ(fashionMnistClasses().size(), 10u);
  EXPECT_EQ(fashionMnistClasses()[0], "t-shirt/top");
  EXPECT_EQ(fashionMnistClasses()[9], "ankle boot");
  // Every template is used.
  std::set<size_t> used;
  for (uint64_t i = 0; i < 1000; ++i)
    used.insert(captionTemplateFor(3, i));
  EXPECT_EQ(used.size(), templates.size());
}
