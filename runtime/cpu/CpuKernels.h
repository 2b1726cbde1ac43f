//===- CpuKernels.h - CPU kernels that compiled clip.so files call --------===//
//
// The CPU backend's kernel library. `clipc --target cpu` generates C++ that
// calls these functions with static shapes and pointers into the arena; the
// library is compiled once (position-independent, static) and linked into
// every clip.so. Elementwise regions are not here: clipc generates their
// loops directly.
//
// Conventions: f32 data, i64 indices; every tensor is dense row-major and
// contiguous unless strides are passed; shapes are element counts, strides
// are in elements. Outputs may not alias inputs unless a function says so.
// Plain C++17, no MLIR/LLVM, threads from OpenMP, GEMMs from OpenBLAS.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CPU_CPUKERNELS_H
#define CLIP_RUNTIME_CPU_CPUKERNELS_H

#include "runtime/kernels/KernelAbi.h"
#include "runtime/kernels/ScalarMath.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace clip::cpu {

/// The GELU variants of clip.gemm's epilogue and clip.gelu_grad.
enum class Activation : int { None = 0, Gelu = 1, GeluTanh = 2, QuickGelu = 3 };

/// batch x (M x N) GEMMs: C[b] = A[b] B[b] (each optionally transposed), then
/// `+ bias[n]`, then the activation, then `+ residual[b]` (laid out as C).
/// A[b] is M x K (K x M when transposeA) starting at a + b * strideA; a
/// stride of 0 broadcasts one matrix over the batch. bias/residual may be
/// null. `residual` may alias `c` (in-place accumulate).
struct GemmArgs {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  bool transposeA = false, transposeB = false;
  const float *a = nullptr;
  int64_t strideA = 0;
  const float *b = nullptr;
  int64_t strideB = 0;
  float *c = nullptr;
  int64_t strideC = 0;
  const float *bias = nullptr;
  Activation activation = Activation::None;
  const float *residual = nullptr;
};
void gemm(const GemmArgs &args);

/// With CLIP_RUN_CHECK_NUMERICS, after every kernel: whether `count` values
/// at `data` (f32, or bf16 when `bf16`) hold a NaN or an Inf; if so, writes
/// "<what> holds <NaN|Inf|-Inf> at element <i> of <count>" to `error`.
bool reportNonFinite(const void *data, int64_t count, bool bf16,
                     const char *what, char *error, size_t errorSize);

/// LayerNorm over the last `cols` elements of each of `rows` rows. When
/// `residual` is non-null the input is `x + residual`, written to `stream`
/// (clip.add_layer_norm); otherwise `stream` is unused. mean/rstd: [rows].
void layerNorm(int64_t rows, int64_t cols, const float *x,
               const float *residual, float *stream, const float *weight,
               const float *bias, float epsilon, float *out, float *mean,
               float *rstd);
/// clip.layer_norm_grad: dx [rows, cols], dweight and dbias [cols].
void layerNormGrad(int64_t rows, int64_t cols, const float *grad,
                   const float *x, const float *mean, const float *rstd,
                   const float *weight, float *dx, float *dweight,
                   float *dbias);

/// clip.attention over `batch` independent (Lq x D, Lk x D, Lk x Dv)
/// problems: out [batch, Lq, Dv], lse [batch, Lq] (log-sum-exp of the scaled,
/// masked scores of each query row).
void attention(int64_t batch, int64_t lq, int64_t lk, int64_t d, int64_t dv,
               float scale, bool causal, const float *q, const float *k,
               const float *v, float *out, float *lse);
/// clip.attention_grad: dq, dk, dv shaped as q, k, v.
void attentionGrad(int64_t batch, int64_t lq, int64_t lk, int64_t d, int64_t dv,
                   float scale, bool causal, const float *grad, const float *q,
                   const float *k, const float *v, const float *out,
                   const float *lse, float *dq, float *dk, float *dvOut);

/// clip.contrastive_loss on image, text [n, d] and the scalar log-scale:
/// loss (scalar), imageNorm/textNorm [n] (L2 norms, clamped to epsilon),
/// imageLse/textLse [n] (log-sum-exp of each row / column of the logits).
void contrastiveLoss(int64_t n, int64_t d, const float *image,
                     const float *text, const float *logitScale, float epsilon,
                     float *loss, float *imageNorm, float *textNorm,
                     float *imageLse, float *textLse);
/// clip.contrastive_loss_grad; `grad` is the scalar loss gradient.
void contrastiveLossGrad(int64_t n, int64_t d, const float *grad,
                         const float *image, const float *text,
                         const float *logitScale, const float *imageNorm,
                         const float *textNorm, const float *imageLse,
                         const float *textLse, float epsilon, float *dimage,
                         float *dtext, float *dlogitScale);
/// One process's share of the contrastive loss over a batch gathered from
/// every process (OpenCLIP's ClipLoss with local_loss and gather_with_grad):
/// image, text [n, d] the whole batch, this process's pairs rows
/// [first, first + m). loss: the mean over its rows of both directions'
/// cross-entropies, halved (the processes' mean is the whole batch's loss);
/// dimage, dtext [n, d] and dlogitScale: its gradient with respect to every
/// row (through the normalization) and to the log-scale. Deterministic.
void contrastiveLossShard(int64_t n, int64_t d, int64_t first, int64_t m,
                          const float *image, const float *text,
                          float logitScale, float epsilon, double *loss,
                          float *dimage, float *dtext, double *dlogitScale);

/// clip.sigmoid_loss on image, text [n, d], the scalar log-scale and bias:
/// loss (scalar), imageNorm/textNorm [n] (L2 norms, clamped to epsilon).
void sigmoidLoss(int64_t n, int64_t d, const float *image, const float *text,
                 const float *logitScale, const float *logitBias,
                 float epsilon, float *loss, float *imageNorm,
                 float *textNorm);
/// clip.sigmoid_loss_grad; `grad` is the scalar loss gradient.
void sigmoidLossGrad(int64_t n, int64_t d, const float *grad,
                     const float *image, const float *text,
                     const float *logitScale, const float *logitBias,
                     const float *imageNorm, const float *textNorm,
                     float epsilon, float *dimage, float *dtext,
                     float *dlogitScale, float *dlogitBias);
/// One process's share of the sigmoid loss over a batch gathered from every
/// process: its images, rows [first, first + m) of image [n, d], against
/// every text [n, d] (OpenCLIP's SigLipLoss, whose neighbour exchange visits
/// the same pairs). loss: their sum over m (the processes' mean is the whole
/// batch's loss); dimage, dtext [n, d] (through the normalization; dimage
/// zero outside the own rows), and the scale's and bias's gradients.
void sigmoidLossShard(int64_t n, int64_t d, int64_t first, int64_t m,
                      const float *image, const float *text, float logitScale,
                      float logitBias, float epsilon, double *loss,
                      float *dimage, float *dtext, double *dlogitScale,
                      double *dlogitBias);

/// NCHW convolution geometry (weight [outChannels, channels/groups, kh, kw]):
/// runtime/kernels/KernelAbi.h.
using Conv2DShape = kernels::Conv2DShape;
/// `bias` [outChannels] may be null.
void conv2d(const Conv2DShape &s, const float *x, const float *w,
            const float *bias, float *out);
/// clip.conv2d_grad: dx shaped as x, dw shaped as w.
void conv2dGrad(const Conv2DShape &s, const float *grad, const float *x,
                const float *w, float *dx, float *dw);

/// Average pooling over `planes` (= N * C) planes, padded zeros counted:
/// runtime/kernels/KernelAbi.h.
using Pool2DShape = kernels::Pool2DShape;
void avgPool2d(const Pool2DShape &s, const float *x, float *out);
void avgPool2dGrad(const Pool2DShape &s, const float *grad, float *dx);

/// x [n, channels, spatial]. Inference form with running statistics.
void batchNorm(int64_t n, int64_t channels, int64_t spatial, const float *x,
               const float *scale, const float *bias, const float *mean,
               const float *var, float epsilon, float *out);
/// Training form: batch statistics, and the updated running statistics
/// (unbiased variance, `running * (1 - momentum) + batch * momentum`).
void batchNormTrain(int64_t n, int64_t channels, int64_t spatial,
                    const float *x, const float *scale, const float *bias,
                    const float *runningMean, const float *runningVar,
                    float epsilon, float momentum, float *out,
                    float *newRunningMean, float *newRunningVar);

/// Data movement: dst[i] = src[i] over a `rank`-dim `shape` with per-dim
/// strides on both sides (0 = broadcast a source dim). Transpose, broadcast,
/// slice, concat and slice_grad are all this.
void stridedCopy(int rank, const int64_t *shape, const float *src,
                 const int64_t *srcStrides, float *dst,
                 const int64_t *dstStrides);
void stridedCopy(int rank, const int64_t *shape, const int64_t *src,
                 const int64_t *srcStrides, int64_t *dst,
                 const int64_t *dstStrides);
void fill(float *dst, int64_t count, float value);
/// The same on bf16 storage: data movement copies bf16 values exactly.
void stridedCopy(int rank, const int64_t *shape, const bf16 *src,
                 const int64_t *srcStrides, bf16 *dst,
                 const int64_t *dstStrides);
void fill(bf16 *dst, int64_t count, float value);

enum class Reduction : int { Sum = 0, Mean = 1, Max = 2 };
/// Reduces a contiguous `rank`-dim input of `shape` into dst, where input
/// element `idx` lands at `sum(idx[d] * dstStrides[d])` (stride 0 on reduced
/// dims). dst has `dstCount` elements; it is overwritten (Mean divides by
/// the number of elements reduced into each output).
void reduce(Reduction kind, int rank, const int64_t *shape, const float *src,
            const int64_t *dstStrides, float *dst, int64_t dstCount);
/// First index of the maximum along the middle dim of [outer, axis, inner].
void argmax(int64_t outer, int64_t axis, int64_t inner, const float *src,
            int64_t *dst);
void argmax(int64_t outer, int64_t axis, int64_t inner, const int64_t *src,
            int64_t *dst);
/// (log_)softmax along the middle dim of [outer, axis, inner].
void softmax(int64_t outer, int64_t axis, int64_t inner, bool log,
             const float *src, float *dst);

/// tf.gather with batch dims, flattened: x [batch, pre, axis, inner],
/// indices [batch, count], out [batch, pre, count, inner]. Returns -1 when
/// every index is in [0, axis), else the position of the first bad index
/// (flat, in indices' [batch, count] order); then nothing is written.
int64_t gather(int64_t batch, int64_t pre, int64_t axis, int64_t inner,
               int64_t count, const float *x, const int64_t *indices,
               float *out);
int64_t gather(int64_t batch, int64_t pre, int64_t axis, int64_t inner,
               int64_t count, const int64_t *x, const int64_t *indices,
               int64_t *out);
/// clip.gather_grad: dx [batch, pre, axis, inner] = 0, then grad added at
/// the gathered rows (repeated indices accumulate). Returns as gather (and
/// leaves dx untouched on a bad index).
int64_t gatherGrad(int64_t batch, int64_t pre, int64_t axis, int64_t inner,
                   int64_t count, const float *grad, const int64_t *indices,
                   float *dx);

/// Threads used by the library and OpenBLAS (0 = all cores).
/// (Implementation note: the library splits every GEMM over its own OpenMP
/// threads and calls OpenBLAS single-threaded from each of them, so this
/// sets the OpenMP thread count and keeps OpenBLAS's own pool at 1: a second
/// pool of spinning OpenBLAS workers slows the OpenMP kernels that follow
/// each GEMM several-fold on a 2-core machine.)
void setThreads(int threads);

/// Checks the BLAS on this CPU before the kernels rely on it: every GEMM
/// shape class the kernels issue (GemmCheck.h) against a double-precision
/// loop, in a few milliseconds. Returns 0, or non-zero with the first wrong
/// case in `error`. A clip.so exports it (ClipLibraryDesc::cpuSelfCheck).
int32_t selfCheck(char *error, size_t errorSize);

/// An f32 copy of a bf16 arena buffer for one library call (`--precision
/// bf16`): the kernels here compute on f32, so a call whose buffers are
/// stored in bf16 reads widened copies (exact) and writes an f32 result that
/// store() rounds to nearest even, as the GPU's conversion does.
/// Elementwise loops need none: they read and write bf16 directly.
class Bf16Staging {
public:
  /// A copy of `count` elements of `buffer`, widened now.
  Bf16Staging(const bf16 *buffer, int64_t count);
  /// Room for a result of `count` elements that store() writes to `buffer`.
  Bf16Staging(bf16 *buffer, int64_t count, bool result);
  float *data() { return values.data(); }
  /// Rounds the result into the buffer.
  void store() const;

private:
  bf16 *target = nullptr;
  std::vector<float> values;
};

/// dst[i] = src[i] widened (exact), and rounded to nearest even.
void widen(const bf16 *src, float *dst, int64_t count);
void narrow(const float *src, bf16 *dst, int64_t count);

} // namespace clip::cpu

#endif // CLIP_RUNTIME_CPU_CPUKERNELS_H
