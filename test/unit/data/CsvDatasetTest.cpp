//===- CsvDatasetTest.cpp - CSV parsing and the CSV sample source ---------===//
#include "runtime/data/CsvDataset.h"

#include "TestFiles.h"

#include <gtest/gtest.h>
#include <png.h>

#include <functional>

using namespace clip::data;
using namespace clip::data::test;

namespace {

std::vector<std::vector<std::string>>
fields(const std::vector<CsvRecord> &records) {
  std::vector<std::vector<std::string>> out;
  for (const CsvRecord &r : records)
    out.push_back(r.fields);
  return out;
}

std::vector<uint8_t> grayPng(uint8_t value) {
  PngSpec spec;
  spec.width = 3;
  spec.height = 2;
  spec.colorType = PNG_COLOR_TYPE_GRAY;
  spec.rows.assign(6, value);
  return encodePng(spec);
}

} // namespace

TEST(Csv, QuotingAsRfc4180) {
  const std::string text = "a,b,c\n"
                           "1,\"x, y\",\"say \"\"hi\"\"\"\n"
                           "\"multi\nline\",,\"\"\r\n"
                           "\n"
                           "plain \"quote\" inside,2,3";
  const auto records = parseCsv(text, ',', "t.csv");
  EXPECT_EQ(fields(records), (std::vector<std::vector<std::string>>{
                                 {"a", "b", "c"},
                                 {"1", "x, y", "say \"hi\""},
                                 {"multi\nline", "", ""},
                                 {"plain \"quote\" inside", "2", "3"}}));
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records[3].line,
            6); // the quoted line break and the blank line count
}

TEST(Csv, TabSeparatorBomAndTrailingNewline) {
  const auto records = parseCsv("\xEF\xBB\xBF"
                                "filepath\ttitle\nimg.png\ta, b\n",
                                '\t', "t.tsv");
  EXPECT_EQ(fields(records), (std::vector<std::vector<std::string>>{
                                 {"filepath", "title"}, {"img.png", "a, b"}}));
}

TEST(Csv, MalformedRowsNameTheLine) {
  std::string e =
      errorOf([] { parseCsv("a,b\n1,\"open\n2,3\n", ',', "q.csv"); });
  EXPECT_NE(e.find("q.csv line 2: unterminated quoted field 2 (its quote runs "
                   "to the end"),
            std::string::npos)
      << e;
  e = errorOf([] { parseCsv("a,b\n\"x\"y,2\n", ',', "q.csv"); });
  EXPECT_NE(e.find("q.csv line 2: text after the closing quote of field 1"),
            std::string::npos)
      << e;
}

TEST(Csv, OpenCsvReadsImagesRelativeToTheFile) {
  ScratchDir dir;
  dir.write("images/a.png", grayPng(10));
  const std::string absolute = dir.write("b.png", grayPng(20));
  const std::string csv = dir.write(
      "data.csv", "filepath\ttitle\textra\n"
                  "images/a.png\t\"a caption, with \"\"quotes\"\"\"\tx\n" +
                      absolute + "\tsecond\ty\n");
  const auto source = openCsv(csv);
  ASSERT_EQ(source->size(), 2u);
  Sample s = source->get(0);
  EXPECT_EQ(s.caption, "a caption, with \"quotes\"");
  EXPECT_EQ(s.image.pixels, std::vector<uint8_t>(6, 10));
  EXPECT_NE(s.where.find("data.csv line 2"), std::string::npos) << s.where;
  s = source->get(1);
  EXPECT_EQ(s.caption, "second");
  EXPECT_EQ(s.image.pixels, std::vector<uint8_t>(6, 20));
  // Other keys and separator, as
  // --csv-img-key/--csv-caption-key/--csv-separator.
  const std::string comma =
      dir.write("c.csv", "title,path\nhello,images/a.png\n");
  const auto other = openCsv(comma, "path", "title", ',');
  EXPECT_EQ(other->get(0).caption, "hello");
}

TEST(Csv, MissingColumnsAndBadRows) {
  ScratchDir dir;
  std::string e =
      errorOf([&] { openCsv(dir.write("a.csv", "path\ttitle\nx\ty\n")); });
  EXPECT_NE(e.find("no column 'filepath' (--csv-img-key)"), std::string::npos)
      << e;
  EXPECT_NE(e.find("'path', 'title'"), std::string::npos) << e;
  // A comma file read with the default tab separator: the hint says so.
  e = errorOf([&] { openCsv(dir.write("b.csv", "filepath,title\nx,y\n")); });
  EXPECT_NE(e.find("is the separator comma, not tab?"), std::string::npos) << e;
  e = errorOf([&] {
    openCsv(dir.write("c.csv", "filepath\ttitle\na.png\tok\nb.png\n"));
  });
  EXPECT_NE(e.find("c.csv line 3: 1 fields, the header has 2"),
            std::string::npos)
      << e;
  e = errorOf(
      [&] { openCsv(dir.write("d.csv", "filepath\ttitle\n\tno image\n")); });
  EXPECT_NE(e.find("d.csv line 2: empty 'filepath'"), std::string::npos) << e;
  e = errorOf([&] { openCsv(dir.write("e.csv", "")); });
  EXPECT_NE(e.find("empty CSV file"), std::string::npos) << e;
  e = errorOf([&] { openCsv(dir.path() + "/missing.csv"); });
  EXPECT_NE(e.find("missing.csv: cannot open"), std::string::npos) << e;
}

TEST(Csv, BadImagesNameTheRow) {
  ScratchDir dir;
  std::vector<uint8_t> cut = grayPng(1);
  cut.resize(cut.size() / 2);
  dir.write("cut.png", cut);
  const auto source = openCsv(
      dir.write("data.csv",
                "filepath\ttitle\nnowhere.png\tmissing\ncut.png\ttruncated\n"));
  std::string e = errorOf([&] { source->get(0); });
  EXPECT_NE(e.find("data.csv line 2: "), std::string::npos) << e;
  EXPECT_NE(e.find("nowhere.png: cannot open"), std::string::npos) << e;
  e = errorOf([&] { source->get(1); });
  EXPECT_NE(e.find("data.csv line 3: "), std::string::npos) << e;
  EXPECT_NE(e.find("truncated PNG"), std::string::npos) << e;
}

// Flickr30k/COCO style: one row a caption, 5 rows an image. Rows naming the
// same image are one sample with every caption, in file order; images keep
// the order of their first row.
TEST(Csv, RowsOfOneImageAreOneSampleWithEveryCaption) {
  ScratchDir dir;
  dir.write("a.png", grayPng(10));
  dir.write("b.png", grayPng(20));
  const std::string csv =
      dir.write("captions.csv", "filepath\ttitle\n"
                                "b.png\tb one\na.png\ta one\nb.png\tb two\n"
                                "a.png\ta two\nb.png\tb three\n");
  const auto source = openCsv(csv);
  ASSERT_EQ(source->size(), 2u);
  EXPECT_EQ(source->captionsOf(0),
            (std::vector<std::string>{"b one", "b two", "b three"}));
  EXPECT_EQ(source->captionsOf(1), (std::vector<std::string>{"a one", "a two"}));
  const Sample b = source->get(0);
  EXPECT_EQ(b.image.pixels, std::vector<uint8_t>(6, 20));
  EXPECT_EQ(b.caption, "b one");
  EXPECT_EQ(b.captions.size(), 3u);
  EXPECT_NE(source->where(1).find("captions.csv line 3"), std::string::npos);
}
