//===- PretrainedTest.cpp - torch.save archives and Hugging Face names ----===//
//
// The fixtures in test/fuzz/corpus/torch were written by torch.save
// (PyTorch 2.x):
//   state_dict.bin       OrderedDict(w=ones(2, 3), b=zeros(3, float16))
//   views_wrapped.bin    {"epoch": 1, "state_dict": {"module.view":
//                        base[:, 1:3], "module.t": base.t(), "module.base":
//                        base}}, base = arange(12).reshape(3, 4): one
//                        storage, an offset view and a transposed one
//   parameter_bf16.bin   {"p": Parameter(ones(2, bfloat16)), "i": arange(3)}
//
//===----------------------------------------------------------------------===//
#include "runtime/io/Pretrained.h"
#include "runtime/io/TorchCheckpoint.h"
#include "runtime/io/Zip.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace clip::io;

namespace {

const std::string seeds = CLIPC_TORCH_SEEDS;

std::vector<float> floats(const HostTensor &t) {
  std::vector<float> out(t.bytes.size() / 4);
  std::memcpy(out.data(), t.bytes.data(), t.bytes.size());
  return out;
}

HostTensor f32(std::vector<int64_t> shape, std::vector<float> values) {
  HostTensor t{DType::F32, std::move(shape),
               std::vector<uint8_t>(values.size() * 4)};
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

template <typename Fn> std::string errorOf(Fn fn) {
  try {
    fn();
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

TEST(TorchCheckpointTest, ReadsAStateDict) {
  auto tensors = readTorchCheckpoint(seeds + "/state_dict.bin");
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors.at("w").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(floats(tensors.at("w")), std::vector<float>(6, 1.0f));
  EXPECT_EQ(tensors.at("b").dtype, DType::F16);
  EXPECT_EQ(tensors.at("b").bytes, std::vector<uint8_t>(6, 0));
}

TEST(TorchCheckpointTest, ResolvesViewsOfOneStorage) {
  // The "state_dict" entry of a training checkpoint; the epoch is ignored.
  auto tensors = readTorchCheckpoint(seeds + "/views_wrapped.bin");
  ASSERT_EQ(tensors.size(), 3u);
  EXPECT_EQ(floats(tensors.at("module.base")),
            (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(tensors.at("module.view").shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(floats(tensors.at("module.view")),
            (std::vector<float>{1, 2, 5, 6, 9, 10}));
  EXPECT_EQ(tensors.at("module.t").shape, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(floats(tensors.at("module.t")),
            (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
}

TEST(TorchCheckpointTest, ReadParametersDropsTheWrapperAndWidensToF32) {
  SafetensorsFile file = readParameters(seeds + "/views_wrapped.bin");
  ASSERT_NE(file.find("view"), nullptr); // "module." dropped
  EXPECT_EQ(file.find("module.view"), nullptr);
  SafetensorsFile p = readParameters(seeds + "/parameter_bf16.bin");
  ASSERT_NE(p.find("p"), nullptr);
  EXPECT_EQ(p.find("p")->dtype, DType::F32);
  EXPECT_EQ(p.find("p")->toDoubles(), (std::vector<double>{1.0, 1.0}));
  EXPECT_EQ(p.find("i")->dtype, DType::I64);
  EXPECT_EQ(p.find("i")->toDoubles(), (std::vector<double>{0, 1, 2}));
}

TEST(TorchCheckpointTest, EveryTruncationIsAnError) {
  const std::vector<uint8_t> whole =
      readBinaryFile(seeds + "/views_wrapped.bin");
  for (size_t n = 0; n < whole.size(); ++n) {
    std::vector<uint8_t> cut(whole.begin(), whole.begin() + n);
    const std::string e = errorOf([&] {
      parseTorchCheckpoint(std::move(cut), "cut.bin");
    });
    ASSERT_FALSE(e.empty()) << "a prefix of " << n << " bytes was accepted";
    ASSERT_NE(e.find("cut.bin"), std::string::npos) << e;
  }
}

TEST(TorchCheckpointTest, RefusesWhatIsNotAZip) {
  EXPECT_NE(errorOf([] {
              parseTorchCheckpoint({'P', 'K', 3, 4, 0, 0}, "x.bin");
            }).find("x.bin: too short"),
            std::string::npos);
}

TEST(HuggingFaceNamesTest, MergesQkvAndTransposesProjections) {
  std::map<std::string, HostTensor> t;
  const std::string l = "vision_model.encoder.layers.0.self_attn.";
  t[l + "q_proj.weight"] = f32({1, 2}, {1, 2});
  t[l + "k_proj.weight"] = f32({1, 2}, {3, 4});
  t[l + "v_proj.weight"] = f32({1, 2}, {5, 6});
  t[l + "q_proj.bias"] = f32({1}, {7});
  t[l + "k_proj.bias"] = f32({1}, {8});
  t[l + "v_proj.bias"] = f32({1}, {9});
  t["visual_projection.weight"] = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  t["text_model.embeddings.position_ids"] = f32({1, 3}, {0, 1, 2});
  t["vision_model.pre_layrnorm.weight"] = f32({2}, {1, 1});
  convertHuggingFaceNames(t, "m.safetensors");
  ASSERT_EQ(t.size(), 4u);
  const std::string p = "visual.transformer.resblocks.0.attn.";
  EXPECT_EQ(t.at(p + "in_proj_weight").shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(floats(t.at(p + "in_proj_weight")),
            (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(floats(t.at(p + "in_proj_bias")), (std::vector<float>{7, 8, 9}));
  EXPECT_EQ(t.at("visual.proj").shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(floats(t.at("visual.proj")),
            (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(t.count("visual.ln_pre.weight"));
}

TEST(HuggingFaceNamesTest, NamesWhatItCannotPlace) {
  std::map<std::string, HostTensor> t;
  t["vision_model.encoder.layers.0.self_attn.q_proj.weight"] = f32({1}, {1});
  t["vision_model.encoder.layers.0.self_attn.k_proj.weight"] = f32({1}, {1});
  std::map<std::string, HostTensor> unknown = t;
  unknown["vision_model.encoder.layers.0.adapter.weight"] = f32({1}, {1});
  EXPECT_NE(errorOf([&] { convertHuggingFaceNames(unknown, "m"); })
                .find("cannot place: vision_model.encoder.layers.0.adapter."
                      "weight"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { convertHuggingFaceNames(t, "m"); })
                .find("the v one is missing"),
            std::string::npos);
}

} // namespace
