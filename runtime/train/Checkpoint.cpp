//===- Checkpoint.cpp - Training checkpoints in safetensors ---------------===//

#include "runtime/train/Checkpoint.h"

#include "runtime/io/Pretrained.h"

#include "fmt/format.h"

#include <cstring>

namespace clip::train {

namespace {

io::DType ioType(int32_t dtype) {
  return dtype == CLIP_I64    ? io::DType::I64
         : dtype == CLIP_BOOL ? io::DType::Bool
                              : io::DType::F32;
}

} // namespace

void saveCheckpoint(const std::string &path, runtime::Executor &executor,
                    const AdamW *optimizer,
                    const std::map<std::string, std::string> &metadata) {
  const ClipFunctionDesc &fn = executor.function();
  io::SafetensorsWriter writer;
  for (int32_t i = 0; i < fn.numParams; ++i) {
    const auto *bytes = static_cast<const uint8_t *>(executor.param(i));
    writer.add(
        fn.params[i].name, ioType(fn.params[i].dtype),
        std::vector<int64_t>(fn.params[i].shape,
                             fn.params[i].shape + fn.params[i].rank),
        std::vector<uint8_t>(bytes, bytes + runtime::byteSize(fn.params[i])));
  }
  if (optimizer)
    optimizer->save(writer);
  for (const auto &[key, value] : metadata)
    writer.setMetadata(key, value);
  writer.write(path);
}

void bindParameters(const io::SafetensorsFile &file,
                    runtime::Executor &executor) {
  const std::string &path = file.origin();
  const ClipFunctionDesc &fn = executor.function();
  std::vector<io::ExpectedTensor> expected;
  for (int32_t i = 0; i < fn.numParams; ++i)
    expected.push_back(
        {fn.params[i].name,
         std::vector<int64_t>(fn.params[i].shape,
                              fn.params[i].shape + fn.params[i].rank)});
  if (std::string problems = io::checkBinding(file, expected, nullptr);
      !problems.empty())
    throw runtime::RuntimeError(
        fmt::format("{}: not a checkpoint of this model: {}", path, problems));
  for (int32_t i = 0; i < fn.numParams; ++i) {
    const io::TensorView *view = file.find(fn.params[i].name);
    if (view->dtype != ioType(fn.params[i].dtype))
      throw runtime::RuntimeError(fmt::format(
          "{}: `{}` is {}, the model wants {}", path, fn.params[i].name,
          io::dtypeName(view->dtype), runtime::dtypeName(fn.params[i].dtype)));
    std::memcpy(executor.param(i), view->data, view->byteSize);
  }
}

std::map<std::string, std::string> loadCheckpoint(const std::string &path,
                                                  runtime::Executor &executor,
                                                  AdamW *optimizer) {
  // Parameters alone may come from any checkpoint users have (Hugging
  // Face, torch.save, sharded); a resumed run reads our own format only.
  const io::SafetensorsFile file = optimizer
                                       ? io::SafetensorsFile::read(path)
                                       : io::readParameters(path);
  bindParameters(file, executor);
  if (optimizer)
    optimizer->load(file);
  return file.metadata();
}

} // namespace clip::train
