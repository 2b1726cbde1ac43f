//===- TarDatasetTest.cpp - Tar index, WebDataset samples, shard patterns -===//
#include "runtime/data/TarDataset.h"

#include "TestFiles.h"

#include <gtest/gtest.h>
#include <png.h>

#include <functional>

using namespace clip::data;
using namespace clip::data::test;

namespace {

std::vector<uint8_t> grayPng(uint8_t value, int w = 4, int h = 3) {
  PngSpec spec;
  spec.width = w;
  spec.height = h;
  spec.colorType = PNG_COLOR_TYPE_GRAY;
  spec.rows.assign(static_cast<size_t>(w) * h, value);
  return encodePng(spec);
}

std::vector<uint8_t> rgbJpeg(uint8_t value) {
  return encodeJpeg(8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, value), 95);
}

/// Shard 0: ustar members, incl. samples the pipeline leaves out.
std::vector<uint8_t> shard0() {
  std::vector<uint8_t> tar;
  append(tar, tarMember("dir/", {}, '5'));           // a directory
  append(tar, tarMember("__meta__", bytesOf("{}"))); // WebDataset metadata
  append(tar, tarMember("dir/s000.png", grayPng(11)));
  append(tar, tarMember("dir/s000.txt", bytesOf("first caption")));
  append(tar, tarMember("dir/s000.json", bytesOf("{\"k\": 1}")));
  append(tar, tarMember("dir/s001.txt", bytesOf("no image"))); // left out
  append(tar, tarMember("dir/s002.JPG", rgbJpeg(200)));        // upper case
  append(tar, tarMember("dir/s002.txt", bytesOf("second caption")));
  append(tar, tarMember("dir/s003.jpg", rgbJpeg(50)));    // no caption
  append(tar, tarMember("dir/s004.seg.png", grayPng(1))); // ext "seg.png"
  append(tar, tarMember("dir/s004.txt", bytesOf("segmentation only")));
  append(tar, tarEnd());
  return tar;
}

/// Shard 1: GNU long names and a pax path.
std::vector<uint8_t> shard1(const std::string &longKey) {
  std::vector<uint8_t> tar;
  append(tar, tarGnuLongName(longKey + ".png", grayPng(33)));
  append(tar, tarGnuLongName(longKey + ".txt", bytesOf("long name caption")));
  append(tar, tarPaxPath("pax/k.png", grayPng(44)));
  append(tar, tarPaxPath("pax/k.txt", bytesOf("pax caption")));
  append(tar, tarMember("w.webp", bytesOf("RIFF....WEBPVP8 ")));
  append(tar, tarMember("w.txt", bytesOf("a webp sample")));
  // No end blocks: accepted (Python's tarfile accepts it too).
  return tar;
}

} // namespace

TEST(Tar, ListsRegularMembersWithOffsets) {
  ScratchDir dir;
  const std::string path = dir.write("s0.tar", shard0());
  const std::vector<TarMember> members = listTar(path);
  ASSERT_EQ(members.size(), 10u); // the directory is skipped
  EXPECT_EQ(members[0].name, "__meta__");
  EXPECT_EQ(members[0].headerOffset, 512u);
  EXPECT_EQ(members[0].dataOffset, 1024u);
  EXPECT_EQ(members[1].name, "dir/s000.png");
  EXPECT_EQ(members[1].headerOffset, 1536u);
}

TEST(Tar, WebDatasetSamplesAcrossShards) {
  ScratchDir dir;
  const std::string longKey = "deep/" + std::string(120, 'k') + "/sample";
  const std::vector<std::string> shards = {
      dir.write("s0.tar", shard0()), dir.write("s1.tar", shard1(longKey))};
  const auto source = openTarShards(shards);
  ASSERT_EQ(source->size(), 5u);
  Sample s = source->get(0);
  EXPECT_EQ(s.caption, "first caption");
  EXPECT_EQ(s.image.pixels, std::vector<uint8_t>(12, 11));
  EXPECT_NE(s.where.find("s0.tar: sample 'dir/s000'"), std::string::npos)
      << s.where;
  s = source->get(1);
  EXPECT_EQ(s.caption, "second caption");
  EXPECT_EQ(s.image.channels, 3);
  EXPECT_NEAR(s.image.pixels[0], 200, 2);
  // "s004.seg.png" is extension "seg.png": no image, so the sample is left out;
  // the next are shard 1's.
  s = source->get(2);
  EXPECT_EQ(s.caption, "long name caption");
  EXPECT_EQ(s.image.pixels, std::vector<uint8_t>(12, 33));
  EXPECT_NE(s.where.find(longKey), std::string::npos);
  s = source->get(3);
  EXPECT_EQ(s.caption, "pax caption");
  EXPECT_EQ(s.image.pixels, std::vector<uint8_t>(12, 44));
  EXPECT_NE(source->where(3).find("'pax/k'"), std::string::npos);
  // WebP is refused clearly, on get().
  const std::string e = errorOf([&] { source->get(4); });
  EXPECT_NE(e.find("s1.tar: sample 'w'"), std::string::npos) << e;
  EXPECT_NE(e.find("WebP images are not supported"), std::string::npos) << e;
  EXPECT_NE(errorOf([&] { source->get(5); }).find("out of range"),
            std::string::npos);
}

TEST(Tar, TruncatedShardNamesMemberAndOffset) {
  ScratchDir dir;
  std::vector<uint8_t> tar = shard0();
  const std::string good = dir.write("good.tar", tar);
  // Cut inside dir/s000.png's data (header at 1536, data from 2048).
  tar.resize(2048 + 20);
  const std::string cut = dir.write("cut.tar", tar);
  std::string e = errorOf([&] { openTarShards({good, cut}); });
  EXPECT_NE(
      e.find("cut.tar: truncated tar: member 'dir/s000.png' (header at offset "
             "1536)"),
      std::string::npos)
      << e;
  EXPECT_NE(e.find("data at offset 2048, the file ends at 2068"),
            std::string::npos)
      << e;
  // Cut inside a header.
  tar.resize(1536 + 100);
  e = errorOf([&] { openTarShards({dir.write("cut2.tar", tar)}); });
  EXPECT_NE(e.find("a header at offset 1536 needs 512 bytes"),
            std::string::npos)
      << e;
  // A shard that shrinks after it was indexed.
  const std::string later = dir.write("later.tar", shard0());
  const auto source = openTarShards({later});
  std::vector<uint8_t> shorter = shard0();
  shorter.resize(2100);
  dir.write("later.tar", shorter);
  e = errorOf([&] { source->get(0); });
  EXPECT_NE(e.find("shorter than when it was indexed"), std::string::npos) << e;
}

TEST(Tar, CorruptHeadersAndDuplicates) {
  ScratchDir dir;
  std::vector<uint8_t> tar = shard0();
  tar[1536 + 3] ^= 0x20; // a name byte of dir/s000.png: checksum mismatch
  std::string e = errorOf([&] { openTarShards({dir.write("bad.tar", tar)}); });
  EXPECT_NE(e.find("corrupt tar header at offset 1536"), std::string::npos)
      << e;
  e = errorOf(
      [&] { openTarShards({dir.write("text.tar", std::string(2048, 'x'))}); });
  EXPECT_NE(e.find("offset 0"), std::string::npos) << e;
  EXPECT_NE(e.find("not a tar file?"), std::string::npos) << e;
  std::vector<uint8_t> dup;
  append(dup, tarMember("a.txt", bytesOf("one")));
  append(dup, tarMember("a.txt", bytesOf("two")));
  e = errorOf([&] { openTarShards({dir.write("dup.tar", dup)}); });
  EXPECT_NE(e.find("sample 'a' already has a 'txt' member"), std::string::npos)
      << e;
  e = errorOf([&] { openTarShards({dir.path() + "/none.tar"}); });
  EXPECT_NE(e.find("none.tar: cannot open"), std::string::npos) << e;
  EXPECT_THROW(openTarShards({}), DataError);
}

TEST(Tar, BadImageInAShardNamesTheSample) {
  ScratchDir dir;
  std::vector<uint8_t> png = grayPng(9);
  png.resize(png.size() / 2);
  std::vector<uint8_t> tar;
  append(tar, tarMember("x/0001.png", png));
  append(tar, tarMember("x/0001.txt", bytesOf("cut image")));
  append(tar, tarEnd());
  const auto source = openTarShards({dir.write("b.tar", tar)});
  const std::string e = errorOf([&] { source->get(0); });
  EXPECT_NE(e.find("b.tar: sample 'x/0001' (x/0001.png at offset 512)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("truncated PNG"), std::string::npos) << e;
}

TEST(Tar, ExpandShardsAsWebDataset) {
  EXPECT_EQ(expandShards("data-{000..003}.tar"),
            (std::vector<std::string>{"data-000.tar", "data-001.tar",
                                      "data-002.tar", "data-003.tar"}));
  EXPECT_EQ(
      expandShards("s{8..11}.tar"),
      (std::vector<std::string>{"s8.tar", "s9.tar", "s10.tar", "s11.tar"}));
  EXPECT_EQ(
      expandShards("s{08..11}.tar"),
      (std::vector<std::string>{"s08.tar", "s09.tar", "s10.tar", "s11.tar"}));
  EXPECT_EQ(expandShards("s{3..1}"),
            (std::vector<std::string>{"s3", "s2", "s1"}));
  EXPECT_EQ(expandShards("s{0..10..5}"),
            (std::vector<std::string>{"s0", "s5", "s10"}));
  EXPECT_EQ(
      expandShards("{a,b}/{0..1}.tar"),
      (std::vector<std::string>{"a/0.tar", "a/1.tar", "b/0.tar", "b/1.tar"}));
  EXPECT_EQ(expandShards("x{a,b{1..2}}y"),
            (std::vector<std::string>{"xay", "xb1y", "xb2y"}));
  EXPECT_EQ(expandShards("one.tar::two-{0..1}.tar"),
            (std::vector<std::string>{"one.tar", "two-0.tar", "two-1.tar"}));
  EXPECT_EQ(expandShards("plain.tar"), (std::vector<std::string>{"plain.tar"}));
  EXPECT_EQ(expandShards("{x}.tar"), (std::vector<std::string>{"{x}.tar"}));
  EXPECT_EQ(expandShards("{a..c}"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(expandShards("/data/shard-{00000..00999}.tar").size(), 1000u);
  EXPECT_EQ(expandShards("/data/shard-{00000..00999}.tar")[999],
            "/data/shard-00999.tar");
  EXPECT_NE(errorOf([] { expandShards("s{0..2.tar"); }).find("unmatched '{'"),
            std::string::npos);
  EXPECT_NE(errorOf([] { expandShards("s0..2}.tar"); }).find("unmatched '}'"),
            std::string::npos);
  EXPECT_THROW(expandShards(""), DataError);
}

// A json member's "captions" list (or a top-level list) gives a sample
// several captions, ahead of its txt; a json without the list (LAION's
// metadata) leaves txt the caption; a malformed list is an error naming
// the member.
TEST(Tar, JsonCaptionLists) {
  ScratchDir dir;
  std::vector<uint8_t> tar;
  PngSpec spec;
  spec.width = 2;
  spec.height = 2;
  spec.colorType = PNG_COLOR_TYPE_GRAY;
  spec.rows.assign(4, 9);
  const std::vector<uint8_t> png = encodePng(spec);
  append(tar, tarMember("a.png", png));
  append(tar, tarMember("a.txt", bytesOf("the txt")));
  append(tar, tarMember("a.json", bytesOf(R"({"captions": ["one", "two"]})")));
  append(tar, tarMember("b.png", png));
  append(tar, tarMember("b.json", bytesOf(R"(["only", "list"])")));
  append(tar, tarMember("c.png", png));
  append(tar, tarMember("c.txt", bytesOf("plain")));
  append(tar, tarMember("c.json", bytesOf(R"({"url": "http://x", "width": 2})")));
  append(tar, tarMember("d.png", png));
  append(tar, tarMember("d.json", bytesOf(R"({"captions": [1]})")));
  append(tar, tarEnd());
  const auto source = openTarShards({dir.write("s.tar", tar)});
  ASSERT_EQ(source->size(), 4u);
  EXPECT_EQ(source->captionsOf(0), (std::vector<std::string>{"one", "two"}));
  const Sample a = source->get(0);
  EXPECT_EQ(a.caption, "one");
  EXPECT_EQ(a.captions, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(source->captionsOf(1), (std::vector<std::string>{"only", "list"}));
  EXPECT_EQ(source->get(2).caption, "plain");
  EXPECT_TRUE(source->get(2).captions.empty());
  const std::string e = errorOf([&] { source->get(3); });
  EXPECT_NE(e.find("s.tar: member 'd.json': \"captions\" must be a non-empty "
                   "list of strings"),
            std::string::npos)
      << e;
}
