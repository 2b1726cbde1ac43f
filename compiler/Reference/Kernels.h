//===- Kernels.h - Naive kernels of the reference evaluator -----*- C++ -*-===//
//
// One plain loop nest per op, written from the op's definition in ClipOps.td
// and checked against hand-computed values: obviously correct, not fast.
// Shapes are already verified by the dialect; `outShape` is the op's result
// shape. Arithmetic is in double; rounding to a declared element type is the
// evaluator's job.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_COMPILER_REFERENCE_KERNELS_H
#define CLIP_COMPILER_REFERENCE_KERNELS_H

#include "compiler/Reference/Tensor.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>

namespace mlir::clip::reference {

Tensor mapElements(const Tensor &x, llvm::function_ref<double(double)> fn);

/// NumPy-broadcasting elementwise combination into `outShape`.
Tensor zipElements(const Tensor &a, const Tensor &b,
                   llvm::ArrayRef<int64_t> outShape,
                   llvm::function_ref<double(double, double)> fn);
Tensor select(const Tensor &cond, const Tensor &onTrue, const Tensor &onFalse,
              llvm::ArrayRef<int64_t> outShape);

Tensor matmul(const Tensor &a, const Tensor &b, bool transposeA,
              bool transposeB, llvm::ArrayRef<int64_t> outShape);

enum class Reduction { Sum, Mean, Max };
Tensor reduce(const Tensor &x, llvm::ArrayRef<int64_t> axes, bool keepdims,
              Reduction kind);
Tensor argmax(const Tensor &x, int64_t axis, bool keepdims);
Tensor softmax(const Tensor &x, int64_t axis, bool log);

Tensor reshape(const Tensor &x, llvm::ArrayRef<int64_t> outShape);
Tensor transpose(const Tensor &x, llvm::ArrayRef<int64_t> permutation);
Tensor broadcastTo(const Tensor &x, llvm::ArrayRef<int64_t> outShape);
Tensor concat(llvm::ArrayRef<const Tensor *> inputs, int64_t axis);
Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t end,
             int64_t step);
/// tf.gather with batch_dims; an index outside [0, size) sets `error`.
std::optional<Tensor> gather(const Tensor &x, const Tensor &indices,
                             int64_t axis, int64_t batchDims,
                             std::string &error);

/// clip.gather_grad: `grad` added into zeros of `inputShape` where gather
/// read it.
std::optional<Tensor> gatherGrad(const Tensor &grad, const Tensor &indices,
                                 llvm::ArrayRef<int64_t> inputShape,
                                 int64_t axis, int64_t batchDims,
                                 std::string &error);
/// clip.slice_grad: `grad` placed at the slice's positions in zeros.
Tensor sliceGrad(const Tensor &grad, llvm::ArrayRef<int64_t> inputShape,
                 int64_t axis, int64_t start, int64_t step);

Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor *bias,
              llvm::ArrayRef<int64_t> stride, llvm::ArrayRef<int64_t> padding,
              llvm::ArrayRef<int64_t> dilation, int64_t groups);
struct Conv2DGradResult {
  Tensor inputGrad, weightGrad;
};
Conv2DGradResult conv2dGrad(const Tensor &grad, const Tensor &x,
                            const Tensor &w, llvm::ArrayRef<int64_t> stride,
                            llvm::ArrayRef<int64_t> padding,
                            llvm::ArrayRef<int64_t> dilation, int64_t groups);
Tensor avgPool2dGrad(const Tensor &grad, llvm::ArrayRef<int64_t> inputShape,
                     llvm::ArrayRef<int64_t> kernel,
                     llvm::ArrayRef<int64_t> stride,
                     llvm::ArrayRef<int64_t> padding);
Tensor avgPool2d(const Tensor &x, llvm::ArrayRef<int64_t> kernel,
                 llvm::ArrayRef<int64_t> stride,
                 llvm::ArrayRef<int64_t> padding);

Tensor batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 const Tensor &mean, const Tensor &var, double epsilon);
struct BatchNormTrainResult {
  Tensor output, runningMean, runningVar;
};
BatchNormTrainResult batchNormTrain(const Tensor &x, const Tensor &scale,
                                    const Tensor &bias,
                                    const Tensor &runningMean,
                                    const Tensor &runningVar, double epsilon,
                                    double momentum);

struct LayerNormResult {
  Tensor output, mean, rstd;
};
/// LayerNorm over the last dim; mean and rstd keep the last dim as 1.
LayerNormResult layerNorm(const Tensor &x, const Tensor &weight,
                          const Tensor &bias, double epsilon);

struct AttentionResult {
  Tensor output, lse;
};
/// clip.attention: q [..., Lq, D], k [..., Lk, D], v [..., Lk, Dv] with equal
/// leading dims; lse has q's shape without its last dim.
AttentionResult attention(const Tensor &q, const Tensor &k, const Tensor &v,
                          double scale, bool causal);

struct ContrastiveLossResult {
  Tensor loss, imageNorm, textNorm, imageLse, textLse;
};
/// clip.contrastive_loss on image and text [N, D] and a scalar log-scale.
ContrastiveLossResult contrastiveLoss(const Tensor &image, const Tensor &text,
                                      double logitScale, double epsilon);

struct SigmoidLossResult {
  Tensor loss, imageNorm, textNorm;
};
/// clip.sigmoid_loss on image and text [N, D], a log-scale and a bias.
SigmoidLossResult sigmoidLoss(const Tensor &image, const Tensor &text,
                              double logitScale, double logitBias,
                              double epsilon);

struct SigmoidLossGradResult {
  Tensor imageGrad, textGrad, logitScaleGrad, logitBiasGrad;
};
/// clip.sigmoid_loss_grad from the forward's norms.
SigmoidLossGradResult sigmoidLossGrad(double grad, const Tensor &image,
                                      const Tensor &text, double logitScale,
                                      double logitBias,
                                      const Tensor &imageNorm,
                                      const Tensor &textNorm, double epsilon);

struct LayerNormGradResult {
  Tensor inputGrad, weightGrad, biasGrad;
};
/// clip.layer_norm_grad from the forward's mean and rstd.
LayerNormGradResult layerNormGrad(const Tensor &grad, const Tensor &x,
                                  const Tensor &mean, const Tensor &rstd,
                                  const Tensor &weight);

struct AttentionGradResult {
  Tensor queryGrad, keyGrad, valueGrad;
};
/// clip.attention_grad, recomputing probabilities from the forward's lse.
AttentionGradResult attentionGrad(const Tensor &grad, const Tensor &q,
                                  const Tensor &k, const Tensor &v,
                                  const Tensor &out, const Tensor &lse,
                                  double scale, bool causal);

struct ContrastiveLossGradResult {
  Tensor imageGrad, textGrad, logitScaleGrad;
};
/// clip.contrastive_loss_grad from the forward's norms and lse's.
ContrastiveLossGradResult
contrastiveLossGrad(double grad, const Tensor &image, const Tensor &text,
                    double logitScale, const Tensor &imageNorm,
                    const Tensor &textNorm, const Tensor &imageLse,
                    const Tensor &textLse, double epsilon);

Tensor iota(llvm::ArrayRef<int64_t> shape, int64_t dim);
/// 1 (or 0.0) where key j <= query i, 0 (or -inf) elsewhere.
Tensor causalMask(llvm::ArrayRef<int64_t> shape, bool boolean);

/// The scalar functions of the elementwise ops.
double gelu(double x);
double geluTanh(double x);
double quickGelu(double x);
/// Their derivatives (clip.gelu_grad).
double geluDerivative(double x);
double geluTanhDerivative(double x);
double quickGeluDerivative(double x);
double sigmoid(double x);
/// NaN-propagating maximum and minimum, as torch.maximum/minimum.
double maxOf(double a, double b);
double minOf(double a, double b);

} // namespace mlir::clip::reference

#endif // CLIP_COMPILER_REFERENCE_KERNELS_H
