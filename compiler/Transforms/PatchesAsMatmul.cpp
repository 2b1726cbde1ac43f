//===- PatchesAsMatmul.cpp - A patchifying convolution as one GEMM --------===//
//
// A convolution whose stride equals its kernel (larger than 1 x 1), with no
// padding, dilation or groups (a ViT's patch embedding), reads every input
// pixel exactly once: it is a matrix product of the image's patches, laid out
// by a reshape and a transpose, with the flattened weight:
//
//   conv2d(x [N, C, H, W], w [O, C, kh, kw]) ->
//     p = reshape(transpose(reshape(x, [N, C, H/kh, kh, W/kw, kw]),
//                           [0, 2, 4, 1, 3, 5]), [N H/kh W/kw, C kh kw])
//     y = matmul(p, reshape(w, [O, C kh kw]), transpose_rhs) (+ bias)
//     transpose(reshape(y, [N, H/kh, W/kw, O]), [0, 3, 1, 2])
//
// The product then runs on the GEMM engines (cuBLASLt, OpenBLAS) instead of
// a direct convolution, a bias becomes its epilogue (clip-fuse-epilogues),
// and in training the image's gradient (a matmul of its own, which nothing
// reads) is dropped as dead code instead of computed beside the weight's.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "clip/IR/ClipOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::clip {
#define GEN_PASS_DEF_PATCHESASMATMUL
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::clip

using namespace mlir;
using namespace mlir::clip;

namespace {

struct ConvolutionAsMatmul : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DOp conv,
                                PatternRewriter &rewriter) const override {
    auto xType = dyn_cast<RankedTensorType>(conv.getInput().getType());
    auto wType = dyn_cast<RankedTensorType>(conv.getWeight().getType());
    if (!xType || !wType || !xType.hasStaticShape() || !wType.hasStaticShape())
      return rewriter.notifyMatchFailure(conv, "shapes not static");
    ArrayRef<int64_t> x = xType.getShape(), w = wType.getShape();
    const int64_t n = x[0], c = x[1], h = x[2], wd = x[3];
    const int64_t o = w[0], kh = w[2], kw = w[3];
    ArrayRef<int64_t> stride = conv.getStride(), padding = conv.getPadding();
    auto dilation = conv.getDilation();
    const bool unitDilation =
        !dilation || llvm::all_of(*dilation, [](int64_t d) { return d == 1; });
    // 1 x 1 kernels (ResNet's) are products already, without the two
    // transposes of this layout.
    if (kh * kw == 1 || conv.getGroups() != 1 || !unitDilation ||
        stride[0] != kh || stride[1] != kw || padding[0] != 0 ||
        padding[1] != 0 || h % kh || wd % kw)
      return rewriter.notifyMatchFailure(
          conv, "not patches: a 1 x 1 kernel, stride != kernel, padding, "
                "dilation, groups or a ragged edge");
    const int64_t ph = h / kh, pw = wd / kw;
    Location loc = conv.getLoc();
    Value patches = rewriter.create<ReshapeOp>(
        loc, conv.getInput(), ArrayRef<int64_t>{n, c, ph, kh, pw, kw});
    patches = rewriter.create<TransposeOp>(loc, patches,
                                           ArrayRef<int64_t>{0, 2, 4, 1, 3, 5});
    patches = rewriter.create<ReshapeOp>(
        loc, patches, ArrayRef<int64_t>{n * ph * pw, c * kh * kw});
    Value weight = rewriter.create<ReshapeOp>(
        loc, conv.getWeight(), ArrayRef<int64_t>{o, c * kh * kw});
    Value y = rewriter.create<MatmulOp>(loc, patches, weight,
                                        /*transpose_lhs=*/false,
                                        /*transpose_rhs=*/true);
    if (Value bias = conv.getBias())
      y = rewriter.create<AddOp>(loc, y, bias);
    y = rewriter.create<ReshapeOp>(loc, y, ArrayRef<int64_t>{n, ph, pw, o});
    rewriter.replaceOpWithNewOp<TransposeOp>(conv, y,
                                             ArrayRef<int64_t>{0, 3, 1, 2});
    return success();
  }
};

struct PatchesAsMatmulPass
    : clip::impl::PatchesAsMatmulBase<PatchesAsMatmulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvolutionAsMatmul>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
