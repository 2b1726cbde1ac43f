//===- TiledContrastiveLoss.cuh - Contrastive loss on tensor cores --------===//
//
// clip.contrastive_loss and its gradient for bf16 embeddings, Inf-CL's way:
// the n x n logits never exist. The unit vectors go once into a bf16
// scratch (ContrastiveLossUnits); a block of four warps then takes 64 rows
// and walks the other side 64 columns at a time, each logit tile
// S = x_I y_J^T summed over the embedding in chunks of 64 through shared
// memory (cp.async) as mma.sync m16n8k16 (bf16 in, f32 accumulation):
//  - forward: an online log-sum-exp per row (as FlashAttention's softmax);
//    the columns' log-sum-exps are the rows of L^T (a second pass with the
//    sides swapped), then the mean (ContrastiveLossTotal).
//  - backward: G = w (exp(L - lse_row) + exp(L - lse_col) - 2 I) per tile,
//    rounded to bf16 as the A operand of dX_I += G_IJ Y_J, summed into an
//    f32 scratch row block that only this block writes (no atomics: the
//    result does not depend on the schedule); then s dX goes back through
//    the normalization (ContrastiveLossGradFinish), stored in f32 or bf16.
// Extra memory: the unit vectors (2 n d bf16), the gradient sums (2 n d
// f32) and n doubles: O(batch), never O(batch^2).
//
// Numerics against clip::cpu::contrastiveLoss on the same (bf16) inputs:
// the unit vectors are rounded to bf16 (so the logits carry about s * 2^-8
// of error, as a bf16 GEMM of them does in PyTorch's autocast), sums and
// exponentials are f32, G is rounded to bf16 for the product.
//
// Launch of the tile kernels: blockDim.x == kFlashThreads; units
// 2 * ceil(n / kFlashRows), block-per-unit. d is a multiple of 16; rows are
// 16-byte aligned.
//
//===----------------------------------------------------------------------===//
#ifndef CLIP_RUNTIME_CUDA_TILEDCONTRASTIVELOSS_CUH
#define CLIP_RUNTIME_CUDA_TILEDCONTRASTIVELOSS_CUH

#ifndef __CUDACC_RTC__ // NVRTC compiles the files' text, concatenated
#include "runtime/cuda/FlashAttention.cuh"
#endif

namespace clip::cuda {

namespace detail {

/// Embedding columns per shared-memory chunk of a logit tile.
[[maybe_unused]] constexpr int kLossChunk = 64;
/// Columns of G a warp holds as A fragments before multiplying by Y.
[[maybe_unused]] constexpr int kLossPanel = 2 * kFlashRows;

/// rows x kLossChunk bf16 from `src` (row stride `stride`) into shared
/// `dst`: rows at or past `valid` and columns at or past `width` are zeros.
/// One cp.async group.
__device__ inline void loadChunk(clip::bf16 *dst, const clip::bf16 *src,
                                 i64 stride, i64 rows, i64 valid, i64 width) {
  constexpr int kPieces = kLossChunk / 8; // 16-byte pieces per row
  for (i64 c = tid(); c < rows * kPieces; c += nthreads()) {
    const i64 r = c / kPieces, column = (c % kPieces) * 8;
    clip::bf16 *to = dst + r * kLossChunk + column;
    if (r < valid && column < width) {
      cpAsync16(to, src + r * stride + column);
    } else {
      const uint4 zero = {0u, 0u, 0u, 0u};
      store8(to, zero);
    }
  }
  cpAsyncCommit();
}

/// This warp's 16 rows of the 64 x 64 tile x_I y_J^T (rows i0.., columns
/// j0.. of x y^T, unscaled) in the accumulator layout; rows and columns
/// past n are zeros. `sx`, `sy`: shared chunks of 64 x kLossChunk.
__device__ inline void logitTile(float acc[kFlashRows / 8][4],
                                 const clip::bf16 *x, const clip::bf16 *y,
                                 i64 n, i64 d, i64 i0, i64 j0, clip::bf16 *sx,
                                 clip::bf16 *sy) {
  CLIP_UNROLL
  for (int b = 0; b < kFlashRows / 8; ++b)
    for (int e = 0; e < 4; ++e)
      acc[b][e] = 0.0f;
  for (i64 k0 = 0; k0 < d; k0 += kLossChunk) {
    __syncthreads(); // every warp is done with the last chunks
    loadChunk(sx, x + i0 * d + k0, d, kFlashRows, n - i0, d - k0);
    loadChunk(sy, y + j0 * d + k0, d, kFlashRows, n - j0, d - k0);
    cpAsyncWait<0>();
    __syncthreads();
    unsigned a[kLossChunk / 16][4];
    loadRowsA<kLossChunk>(sx, a);
    CLIP_UNROLL
    for (int b = 0; b < kFlashRows / 8; ++b)
      productTransposed<kLossChunk>(acc[b], a, sy, b);
  }
}

/// The sides of a tile unit: u < tiles is a row block of the image side
/// (x = image units, y = text units), the others of the text side.
struct LossSide {
  bool image;
  i64 i0;
};
__device__ inline LossSide lossSide(i64 u, i64 n) {
  const i64 tiles = ceilDiv(n, kFlashRows);
  return {u < tiles, (u % tiles) * kFlashRows};
}

/// unit = bf16(x / norm) of one row, threads striding over it.
__device__ inline void writeUnitRow(const clip::bf16 *x, float norm, i64 d,
                                    clip::bf16 *unit) {
  for (i64 e = tid(); e < d; e += nthreads())
    unit[e] = clip::bf16(static_cast<float>(x[e]) / norm);
}

} // namespace detail

/// Phase 1 of the forward: imageNorm/textNorm [n] (L2 norms in double,
/// clamped below at epsilon) and the unit vectors as bf16 [n, d] into
/// unitImage/unitText (scratch). Unit u < n is image row u.
/// units: 2 * n, block-per-unit.
__device__ inline void
contrastiveLossUnits(i64 n, i64 d, const clip::bf16 *image,
                     const clip::bf16 *text, float epsilon, float *imageNorm,
                     float *textNorm, clip::bf16 *unitImage,
                     clip::bf16 *unitText) {
  using namespace detail;
  for (i64 u = blockIdx.x; u < 2 * n; u += gridDim.x) {
    const bool isImage = u < n;
    const i64 r = isImage ? u : u - n;
    const clip::bf16 *row = (isImage ? image : text) + r * d;
    double part = 0.0;
    for (i64 e = tid(); e < d; e += nthreads()) {
      const double v = static_cast<double>(static_cast<float>(row[e]));
      part += v * v;
    }
    const double length = sqrtD(blockSum(part));
    const double eps = static_cast<double>(epsilon);
    const float norm = static_cast<float>(length < eps ? eps : length);
    if (tid() == 0)
      (isImage ? imageNorm : textNorm)[r] = norm;
    writeUnitRow(row, norm, d, (isImage ? unitImage : unitText) + r * d);
  }
}

/// The unit vectors of the backward from the saved norms.
/// units: 2 * n, block-per-unit.
__device__ inline void
contrastiveLossGradUnits(i64 n, i64 d, const clip::bf16 *image,
                         const clip::bf16 *text, const float *imageNorm,
                         const float *textNorm, clip::bf16 *unitImage,
                         clip::bf16 *unitText) {
  using namespace detail;
  for (i64 u = blockIdx.x; u < 2 * n; u += gridDim.x) {
    const bool isImage = u < n;
    const i64 r = isImage ? u : u - n;
    writeUnitRow((isImage ? image : text) + r * d,
                 (isImage ? imageNorm : textNorm)[r], d,
                 (isImage ? unitImage : unitText) + r * d);
  }
}

/// Phase 2: imageLse [n] (log-sum-exp of each row of L = s a b^T) and
/// textLse [n] (of each column: the rows of L^T = s b a^T), online over
/// the column tiles.
/// units: 2 * ceil(n / kFlashRows), block-per-unit, kFlashThreads.
__device__ inline void contrastiveLossTileLse(i64 n, i64 d,
                                              const clip::bf16 *unitImage,
                                              const clip::bf16 *unitText,
                                              const float *logitScale,
                                              float *imageLse, float *textLse) {
  using namespace detail;
  __shared__ __align__(16) clip::bf16 sx[kFlashRows * kLossChunk];
  __shared__ __align__(16) clip::bf16 sy[kFlashRows * kLossChunk];
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const unsigned group = lane >> 2, tig = lane % 4; // the PTX ISA's names
  const float s = expScale(logitScale);
  for (i64 u = blockIdx.x; u < 2 * ceilDiv(n, kFlashRows); u += gridDim.x) {
    const LossSide side = lossSide(u, n);
    const clip::bf16 *x = side.image ? unitImage : unitText;
    const clip::bf16 *y = side.image ? unitText : unitImage;
    const i64 row[2] = {side.i0 + warp * 16 + group,
                        side.i0 + warp * 16 + group + 8};
    float m[2] = {negInf(), negInf()}, l[2] = {0.0f, 0.0f};
    for (i64 j0 = 0; j0 < n; j0 += kFlashRows) {
      float acc[kFlashRows / 8][4];
      logitTile(acc, x, y, n, d, side.i0, j0, sx, sy);
      float tileMax[2] = {negInf(), negInf()};
      CLIP_UNROLL
      for (int b = 0; b < kFlashRows / 8; ++b)
        for (int e = 0; e < 4; ++e) {
          const i64 j = j0 + b * 8 + 2 * tig + (e % 2);
          acc[b][e] = j < n ? acc[b][e] * s : negInf();
          tileMax[e / 2] = fmaxf(tileMax[e / 2], acc[b][e]);
        }
      CLIP_UNROLL
      for (int h = 0; h < 2; ++h) {
        // The four lanes of a group hold a row's 64 columns.
        tileMax[h] = groupMax(tileMax[h]);
        const float next = fmaxf(m[h], tileMax[h]);
        l[h] *= m[h] == negInf() ? 0.0f : expf(m[h] - next);
        m[h] = next;
      }
      CLIP_UNROLL
      for (int b = 0; b < kFlashRows / 8; ++b)
        for (int e = 0; e < 4; ++e)
          if (acc[b][e] != negInf())
            l[e / 2] += expf(acc[b][e] - m[e / 2]);
    }
    CLIP_UNROLL
    for (int h = 0; h < 2; ++h) {
      l[h] = groupSum(l[h]);
      if (row[h] < n && tig == 0)
        (side.image ? imageLse : textLse)[row[h]] = m[h] + logf(l[h]);
    }
  }
}

/// Phase 3: the loss, mean over i of (imageLse_i - L_ii) and (textLse_i -
/// L_ii) halved, L_ii = s a_i . b_i from the bf16 unit vectors (products
/// exact, summed in f32 as the tiles do). NaN when n == 0.
/// units: 1, block-per-unit.
__device__ inline void
contrastiveLossTileTotal(i64 n, i64 d, const clip::bf16 *unitImage,
                         const clip::bf16 *unitText, const float *logitScale,
                         const float *imageLse, const float *textLse,
                         float *loss) {
  using namespace detail;
  const float s = expScale(logitScale);
  for (i64 u = blockIdx.x; u < 1; u += gridDim.x) {
    double part = 0.0;
    for (i64 i = tid(); i < n; i += nthreads()) {
      float dot = 0.0f;
      for (i64 e = 0; e < d; ++e)
        dot += static_cast<float>(unitImage[i * d + e]) *
               static_cast<float>(unitText[i * d + e]);
      const double diagonal = static_cast<double>(s * dot);
      part += (static_cast<double>(imageLse[i]) - diagonal) +
              (static_cast<double>(textLse[i]) - diagonal);
    }
    const double total = blockSum(part);
    if (tid() == 0)
      *loss = n > 0 ? static_cast<float>(total / (2.0 * static_cast<double>(n)))
                    : quietNan();
  }
}

/// The backward's tiles: sums[i] = sum_j G_ij y_j (f32 [n, d] per side,
/// image side with G, text side with G^T), and with the image side row i's
/// sum_j G_ij L_ij in scalePartial[i] (double). `grad` is the scalar loss
/// gradient; G_ij = w (exp(L_ij - imageLse_i) + exp(L_ij - textLse_j) -
/// 2 [i == j]), w = grad / 2n. Each row is summed by one warp in column
/// order.
/// units: 2 * ceil(n / kFlashRows), block-per-unit, kFlashThreads.
__device__ inline void
contrastiveLossTileGrad(i64 n, i64 d, const float *grad,
                        const clip::bf16 *unitImage, const clip::bf16 *unitText,
                        const float *logitScale, const float *imageLse,
                        const float *textLse, float *imageSums, float *textSums,
                        double *scalePartial) {
  using namespace detail;
  __shared__ __align__(16) clip::bf16 sx[kFlashRows * kLossChunk];
  __shared__ __align__(16) clip::bf16 sy[kLossPanel * kLossChunk];
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const unsigned group = lane >> 2, tig = lane % 4;
  const float s = expScale(logitScale);
  const float weight = static_cast<float>(static_cast<double>(*grad) /
                                          (2.0 * static_cast<double>(n)));
  constexpr int kTileBlocks = kFlashRows / 8;  // n-blocks of a logit tile
  constexpr int kPanelSteps = kLossPanel / 16; // k-steps of G Y
  for (i64 u = blockIdx.x; u < 2 * ceilDiv(n, kFlashRows); u += gridDim.x) {
    const LossSide side = lossSide(u, n);
    const clip::bf16 *x = side.image ? unitImage : unitText;
    const clip::bf16 *y = side.image ? unitText : unitImage;
    const float *ownLse = side.image ? imageLse : textLse;
    const float *otherLse = side.image ? textLse : imageLse;
    float *sums = side.image ? imageSums : textSums;
    const i64 row[2] = {side.i0 + warp * 16 + group,
                        side.i0 + warp * 16 + group + 8};
    float rowLse[2];
    CLIP_UNROLL
    for (int h = 0; h < 2; ++h)
      rowLse[h] = row[h] < n ? ownLse[row[h]] : 0.0f;
    double partial[2] = {0.0, 0.0};
    for (i64 p0 = 0; p0 < n; p0 += kLossPanel) {
      // G for this warp's 16 rows and the panel's columns, as bf16 A
      // fragments (two tile n-blocks a k-step).
      unsigned g[kPanelSteps][4];
      CLIP_UNROLL
      for (int t = 0; t < kLossPanel / kFlashRows; ++t) {
        const i64 j0 = p0 + t * kFlashRows;
        float acc[kTileBlocks][4] = {};
        if (j0 < n) // the same for the whole block
          logitTile(acc, x, y, n, d, side.i0, j0, sx, sy);
        CLIP_UNROLL
        for (int b = 0; b < kTileBlocks; ++b)
          for (int e = 0; e < 4; ++e) {
            const i64 i = row[e / 2], j = j0 + b * 8 + 2 * tig + (e % 2);
            float gij = 0.0f;
            if (i < n && j < n) {
              const float logit = acc[b][e] * s;
              gij =
                  weight * (expf(logit - rowLse[e / 2]) +
                            expf(logit - otherLse[j]) - (i == j ? 2.0f : 0.0f));
              partial[e / 2] +=
                  static_cast<double>(gij) * static_cast<double>(logit);
            }
            acc[b][e] = gij;
          }
        CLIP_UNROLL
        for (int k = 0; k < kTileBlocks / 2; ++k)
          accumulatorsToA(acc[2 * k], acc[2 * k + 1],
                          g[t * kTileBlocks / 2 + k]);
      }
      // sums_I += G Y_panel, a chunk of 64 embedding columns at a time
      // (Y stored panel rows x d: B's K x N form, transposed loads).
      for (i64 k0 = 0; k0 < d; k0 += kLossChunk) {
        __syncthreads();
        loadChunk(sy, y + p0 * d + k0, d, kLossPanel, n - p0, d - k0);
        cpAsyncWait<0>();
        __syncthreads();
        float out[kLossChunk / 8][4];
        CLIP_UNROLL
        for (int b = 0; b < kLossChunk / 8; ++b)
          for (int e = 0; e < 4; ++e)
            out[b][e] = 0.0f;
        CLIP_UNROLL
        for (int k = 0; k < kPanelSteps; ++k)
          for (int b = 0; b < kLossChunk / 8; ++b) {
            unsigned bf[2];
            ldmatrix<2, true>(
                bf,
                sy + (k * 16 + lane % 8 + 8 * ((lane / 8) % 2)) * kLossChunk +
                    b * 8);
            mmaBf16(out[b], g[k], bf, out[b]);
          }
        // This thread's elements of the f32 sums: written by it alone.
        CLIP_UNROLL
        for (int b = 0; b < kLossChunk / 8; ++b)
          for (int e = 0; e < 4; ++e) {
            const i64 i = row[e / 2], c = k0 + b * 8 + 2 * tig + (e % 2);
            if (i < n && c < d) {
              float *to = sums + i * d + c;
              *to = p0 == 0 ? out[b][e] : *to + out[b][e];
            }
          }
      }
    }
    if (side.image)
      for (int h = 0; h < 2; ++h) {
        partial[h] = groupSum(partial[h]);
        if (row[h] < n && tig == 0)
          scalePartial[row[h]] = partial[h];
      }
  }
}

/// The backward's last phase: dx = (g - x^ (x^ . g)) / norm with
/// g = s sums[i] and x^ = x / norm (g / norm where the norm was clamped),
/// stored as `Grad` (f32, as the mixed-precision policy keeps the loss's
/// gradients, or bf16), for unit u < 2n (image rows, then text rows); unit
/// 2n writes dlogitScale = the sum of the row partials in double (0 when
/// n == 0).
/// units: 2 * n + 1, block-per-unit.
template <typename Grad>
__device__ inline void contrastiveLossGradFinish(
    i64 n, i64 d, const clip::bf16 *image, const clip::bf16 *text,
    const float *logitScale, const float *imageNorm, const float *textNorm,
    float epsilon, const float *imageSums, const float *textSums,
    const double *scalePartial, Grad *dimage, Grad *dtext, float *dlogitScale) {
  using namespace detail;
  const float s = expScale(logitScale);
  for (i64 u = blockIdx.x; u < 2 * n + 1; u += gridDim.x) {
    if (u == 2 * n) {
      double part = 0.0;
      for (i64 i = tid(); i < n; i += nthreads())
        part += scalePartial[i];
      const double total = blockSum(part);
      if (tid() == 0)
        *dlogitScale = static_cast<float>(total);
      continue;
    }
    const bool isImage = u < n;
    const i64 r = isImage ? u : u - n;
    const clip::bf16 *x = (isImage ? image : text) + r * d;
    const float *g = (isImage ? imageSums : textSums) + r * d;
    const float norm = (isImage ? imageNorm : textNorm)[r];
    double squares = 0.0, projection = 0.0;
    for (i64 e = tid(); e < d; e += nthreads()) {
      const float v = static_cast<float>(x[e]);
      squares += static_cast<double>(v) * static_cast<double>(v);
      projection +=
          static_cast<double>(v / norm) * static_cast<double>(s * g[e]);
    }
    blockSum2(squares, projection);
    const bool clamped = sqrtD(squares) <= static_cast<double>(epsilon);
    const float proj = clamped ? 0.0f : static_cast<float>(projection);
    Grad *dx = (isImage ? dimage : dtext) + r * d;
    for (i64 e = tid(); e < d; e += nthreads())
      dx[e] =
          Grad((s * g[e] - (static_cast<float>(x[e]) / norm) * proj) / norm);
  }
}

} // namespace clip::cuda

#endif // CLIP_RUNTIME_CUDA_TILEDCONTRASTIVELOSS_CUH
