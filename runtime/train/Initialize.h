//===- Initialize.h - OpenCLIP's initialization, by parameter name --------===//
//
// Fills a model's parameters as OpenCLIP initializes a fresh CLIP, reading
// widths and depths off the shapes: token embedding N(0, 0.02), text
// positional embedding N(0, 0.01); in each transformer block attention
// in_proj N(0, w^-1/2), out_proj and mlp.c_proj N(0, w^-1/2 (2L)^-1/2),
// mlp.c_fc N(0, (2w)^-1/2); projections N(0, w^-1/2); the vision tower's
// class and positional embeddings w^-1/2 N(0, 1); convolutions PyTorch's
// default (uniform in +-1/sqrt(fan_in)); norms' gains 1, biases and running
// means 0, running variances 1; logit_scale ln(1/0.07), or for a SigLIP
// model (one with a logit_bias) ln 10 and the bias -10. (OpenCLIP leaves
// the vision transformer's linears at PyTorch's default init; we use the
// text tower's rule for both, which trains at least as well.)
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_TRAIN_INITIALIZE_H
#define CLIP_RUNTIME_TRAIN_INITIALIZE_H

#include "runtime/core/Executor.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace clip::train {

/// Fills `data` (f32, `shape`) for the parameter `name`; `layers` is the
/// depth of the transformer the parameter belongs to (for the residual
/// projections' scale).
void initializeParameter(const std::string &name,
                         const std::vector<int64_t> &shape, int64_t layers,
                         float *data, std::mt19937_64 &rng);

/// Blocks in the tower of `name`, counted from `names` (the model's
/// parameter names: "transformer.resblocks.<i>." or
/// "visual.transformer.resblocks.<i>.").
int64_t towerDepth(const std::string &name,
                   const std::vector<std::string> &names);

/// Fills every parameter of `executor`'s function (f32) in descriptor
/// order, drawing from `rng`: what a run without given parameters starts
/// from (clip-run train and step).
void initializeParameters(runtime::Executor &executor, std::mt19937_64 &rng);

} // namespace clip::train

#endif // CLIP_RUNTIME_TRAIN_INITIALIZE_H
