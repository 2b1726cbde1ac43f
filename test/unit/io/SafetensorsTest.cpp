//===- SafetensorsTest.cpp - safetensors reading, writing, binding --------===//
#include "runtime/io/Safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

using namespace clip::io;

namespace {

std::vector<uint8_t> fileImage(const std::string &header,
                               std::vector<uint8_t> data) {
  std::vector<uint8_t> out(8);
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string parseError(std::vector<uint8_t> bytes) {
  try {
    SafetensorsFile::parse(std::move(bytes), "t.safetensors");
  } catch (const SafetensorsError &e) {
    return e.what();
  }
  return "";
}

TEST(SafetensorsTest, RoundTripsEveryDType) {
  SafetensorsWriter writer;
  const std::vector<double> values = {1.0, -2.5, 0.0, 3.0};
  const DType dtypes[] = {DType::F64, DType::F32, DType::F16, DType::BF16,
                          DType::I64, DType::I32, DType::I16, DType::I8};
  for (DType d : dtypes)
    writer.addDoubles(std::string("t_") + dtypeName(d), d, {2, 2}, values);
  writer.addDoubles("flags", DType::Bool, {3}, {1, 0, 1});
  writer.addDoubles("scalar", DType::F32, {}, {7.0});
  writer.setMetadata("format", "pt");
  SafetensorsFile file = SafetensorsFile::parse(writer.serialize(), "memory");
  EXPECT_EQ(file.metadata().at("format"), "pt");
  for (DType d : dtypes) {
    const TensorView *v = file.find(std::string("t_") + dtypeName(d));
    ASSERT_NE(v, nullptr) << dtypeName(d);
    EXPECT_EQ(v->dtype, d);
    EXPECT_EQ(v->shape, (std::vector<int64_t>{2, 2}));
    std::vector<double> got = v->toDoubles();
    if (d == DType::I64 || d == DType::I32 || d == DType::I16 || d == DType::I8)
      EXPECT_EQ(got, (std::vector<double>{1, -2, 0, 3})) << dtypeName(d);
    else
      EXPECT_EQ(got, values) << dtypeName(d);
  }
  EXPECT_EQ(file.find("flags")->toDoubles(), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(file.find("scalar")->numel(), 1);
  EXPECT_EQ(file.find("scalar")->toDoubles()[0], 7.0);
  EXPECT_EQ(file.find("absent"), nullptr);
}

TEST(SafetensorsTest, HalfAndBfloatRoundToNearestEven) {
  // f16: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 -> ties to even (1);
  // 65519 rounds to 65504 (max), 65520 overflows to inf; 2^-24 is the
  // smallest subnormal. bf16: 1 + 2^-8 ties to 1; 1 + 3*2^-8 to 1 + 2^-6.
  SafetensorsWriter writer;
  writer.addDoubles("h", DType::F16, {5},
                    {1 + std::ldexp(1.0, -11), 65519.0, 65520.0,
                     std::ldexp(1.0, -24), -0.333251953125});
  writer.addDoubles("b", DType::BF16, {2},
                    {1 + std::ldexp(1.0, -8), 1 + 3 * std::ldexp(1.0, -8)});
  SafetensorsFile file = SafetensorsFile::parse(writer.serialize(), "memory");
  std::vector<double> h = file.find("h")->toDoubles();
  EXPECT_EQ(h[0], 1.0);
  EXPECT_EQ(h[1], 65504.0);
  EXPECT_TRUE(std::isinf(h[2]));
  EXPECT_EQ(h[3], std::ldexp(1.0, -24));
  EXPECT_EQ(h[4], -0.333251953125); // exactly representable
  std::vector<double> b = file.find("b")->toDoubles();
  EXPECT_EQ(b[0], 1.0);
  EXPECT_EQ(b[1], 1 + std::ldexp(1.0, -6));
}

TEST(SafetensorsTest, DataStartsAligned) {
  SafetensorsWriter writer;
  writer.addDoubles("x", DType::F64, {1}, {1.0});
  std::vector<uint8_t> bytes = writer.serialize();
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
}

TEST(SafetensorsTest, EveryTruncationIsRejected) {
  SafetensorsWriter writer;
  writer.addDoubles("a", DType::F32, {3}, {1, 2, 3});
  writer.addDoubles("b", DType::I64, {2}, {4, 5});
  const std::vector<uint8_t> whole = writer.serialize();
  for (size_t len = 0; len < whole.size(); ++len) {
    std::vector<uint8_t> cut(whole.begin(), whole.begin() + len);
    std::string error = parseError(cut);
    EXPECT_NE(error.find("t.safetensors: not a valid safetensors file"),
              std::string::npos)
        << "length " << len << " of " << whole.size() << ": " << error;
  }
  EXPECT_EQ(parseError(whole), "");
}

TEST(SafetensorsTest, MalformedHeadersNameTheProblem) {
  const std::vector<uint8_t> four(4, 0);
  struct Case {
    std::string header;
    std::vector<uint8_t> data;
    std::string message;
  };
  const Case cases[] = {
      {"[1]", {}, "the header is not a JSON object"},
      {"{\"a\":", {}, "JSON error at byte 5"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", four,
       "\"data_offsets\" must be"},
      {"{\"a\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,4]}}", four,
       "unsupported dtype \"Q8\""},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", four,
       "shape [2] of F32 needs 8 bytes but data_offsets span 4"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
       four, "negative dimension -1"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", four,
       "past the 4 data bytes"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
       four, "overlap or gap"},
      {"{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", four,
       "2 bytes after the last tensor"},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
       "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
       four, "duplicate key \"a\""},
      {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
       "\"data_offsets\":[0,4]}}",
       four, "shape overflows"},
      {"{\"__metadata__\":{\"k\":1}}",
       {},
       "__metadata__[\"k\"] is not a string"},
  };
  for (const Case &c : cases) {
    std::string error = parseError(fileImage(c.header, c.data));
    EXPECT_NE(error.find(c.message), std::string::npos)
        << c.header << "\n  gave: " << error;
  }
  // A header length larger than the file.
  std::vector<uint8_t> huge(16, 0);
  huge[7] = 0x7f;
  EXPECT_NE(parseError(huge).find("truncated file?"), std::string::npos);
}

TEST(SafetensorsTest, BindingReportsEveryProblemAtOnce) {
  SafetensorsWriter writer;
  writer.addDoubles("visual.proj", DType::F32, {4, 2}, std::vector<double>(8));
  writer.addDoubles("logit_scale", DType::F32, {}, {2.0});
  writer.addDoubles("extra.weight", DType::F32, {1}, {0});
  SafetensorsFile file =
      SafetensorsFile::parse(writer.serialize(), "w.safetensors");
  const std::vector<ExpectedTensor> expected = {{"visual.proj", {2, 4}},
                                                {"logit_scale", {}},
                                                {"text_projection", {4, 2}}};
  std::string message = checkBinding(file, expected);
  EXPECT_NE(message.find("w.safetensors does not match the model"),
            std::string::npos);
  EXPECT_NE(message.find("1 missing key(s): text_projection"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(
                "1 mis-shaped key(s): visual.proj (file [4, 2], model [2, 4])"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("1 unexpected key(s): extra.weight"),
            std::string::npos)
      << message;
  EXPECT_EQ(checkBinding(file, {{"visual.proj", {4, 2}},
                                {"logit_scale", {}},
                                {"extra.weight", {1}}}),
            "");
}

TEST(SafetensorsTest, WriteIsAtomicAndReadBack) {
  const std::string path = ::testing::TempDir() + "/clip_st_test.safetensors";
  { std::ofstream(path) << "previous contents"; }
  SafetensorsWriter writer;
  writer.addDoubles("x", DType::F32, {2}, {1, 2});
  writer.write(path);
  SafetensorsFile file = SafetensorsFile::read(path);
  EXPECT_EQ(file.find("x")->toDoubles(), (std::vector<double>{1, 2}));
  // A failed write (directory missing) leaves nothing behind and throws.
  EXPECT_THROW(
      writer.write(::testing::TempDir() + "/no/such/dir/x.safetensors"),
      SafetensorsError);
  std::remove(path.c_str());
  try {
    SafetensorsFile::read(path);
    FAIL() << "reading a missing file succeeded";
  } catch (const SafetensorsError &e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
}

} // namespace
