//===- GatheredLoss.cpp - The data-parallel loss on given features --------===//
//
// clip-gathered-loss IN.safetensors OUT_PREFIX, run by mpirun: rank r of N
// takes rows [r n/N, (r+1) n/N) of IN's `image` and `text` [n, d] (its
// features) and `logit_scale` (the log-scale), runs the same exchange the
// distributed trainer does (dist::gatheredContrastiveLoss: all-gather, its
// share of the loss, reduce-scatter) and writes OUT_PREFIX<r>.safetensors:
// `loss` (its share), `image_grad`, `text_grad` [n/N, d] and
// `logit_scale_grad`. With a `logit_bias` in IN, SigLIP's sigmoid loss
// instead (dist::gatheredSigmoidLoss), and `logit_bias_grad` too.
// test/e2e/distributed_training.py compares them with OpenCLIP's
// ClipLoss(local_loss=True, gather_with_grad=True), and SigLipLoss, under
// torch.distributed.
//
//===----------------------------------------------------------------------===//

#include "runtime/dist/Communicator.h"
#include "runtime/dist/DistributedTrainer.h"
#include "runtime/io/Safetensors.h"

#include "fmt/format.h"

#include <cstdio>
#include <exception>
#include <vector>

using namespace clip;

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr,
                 "usage: clip-gathered-loss IN.safetensors OUT_PREFIX\n");
    return 2;
  }
  try {
    std::unique_ptr<dist::Communicator> comm = dist::connect(60);
    const io::SafetensorsFile in = io::SafetensorsFile::read(argv[1]);
    auto tensor = [&](const char *name) {
      const io::TensorView *t = in.find(name);
      if (!t)
        throw std::runtime_error(fmt::format("{}: no `{}`", argv[1], name));
      return t;
    };
    const io::TensorView *image = tensor("image"), *text = tensor("text");
    const int64_t n = image->shape.at(0), d = image->shape.at(1);
    if (n % comm->size() != 0)
      throw std::runtime_error(
          fmt::format("{} rows do not split over {} ranks", n, comm->size()));
    const int64_t batch = n / comm->size(), first = batch * comm->rank();
    auto rows = [&](const io::TensorView *t) {
      const std::vector<double> all = t->toDoubles();
      return std::vector<float>(all.begin() + first * d,
                                all.begin() + (first + batch) * d);
    };
    const std::vector<float> myImage = rows(image), myText = rows(text);
    const float logitScale =
        static_cast<float>(tensor("logit_scale")->toDoubles().at(0));
    std::vector<float> imageGrad(static_cast<size_t>(batch * d)),
        textGrad(static_cast<size_t>(batch * d));
    const bool sigmoid = in.find("logit_bias") != nullptr;
    const dist::LossShare share =
        sigmoid ? dist::gatheredSigmoidLoss(
                      *comm, batch, d, myImage.data(), myText.data(),
                      logitScale,
                      static_cast<float>(tensor("logit_bias")->toDoubles().at(0)),
                      1e-12f, imageGrad.data(), textGrad.data())
                : dist::gatheredContrastiveLoss(
                      *comm, batch, d, myImage.data(), myText.data(),
                      logitScale, 1e-12f, imageGrad.data(), textGrad.data());
    io::SafetensorsWriter out;
    if (sigmoid)
      out.addDoubles("logit_bias_grad", io::DType::F64, {},
                     {share.logitBiasGrad});
    out.addDoubles("loss", io::DType::F64, {}, {share.loss});
    out.addDoubles("logit_scale_grad", io::DType::F64, {},
                   {share.logitScaleGrad});
    out.addDoubles("image_grad", io::DType::F32, {batch, d},
                   std::vector<double>(imageGrad.begin(), imageGrad.end()));
    out.addDoubles("text_grad", io::DType::F32, {batch, d},
                   std::vector<double>(textGrad.begin(), textGrad.end()));
    out.write(fmt::format("{}{}.safetensors", argv[2], comm->rank()));
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "clip-gathered-loss: %s\n", e.what());
    return 1;
  }
}
