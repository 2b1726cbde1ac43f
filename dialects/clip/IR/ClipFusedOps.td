//===- ClipFusedOps.td - Fused ops of the clip dialect --------------------===//
//
// Ops that the fusion passes (compiler/Transforms/Fuse*.cpp) form from the
// primitive ops a model is written in. Each is one kernel for the code
// generators, and returns what its backward pass needs, so that nothing is
// recomputed or stored twice. Included by ClipOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef CLIP_FUSED_OPS_TD
#define CLIP_FUSED_OPS_TD

// Fused ops name their results after what they are (`%ln`, `%attn_lse`,
// `%stream` for the residual stream), so a fused graph reads.
def Clip_ReadableResults
    : DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>;

def Clip_LayerNormOp : Clip_Op<"layer_norm", [Pure, Clip_InferredShape, Clip_ReadableResults,
     Clip_Differentiable]> {
  let summary = "layer normalization over the last dim, with its statistics";
  let description = [{
    For each row `x` of the last dim (size `W`):
    `mean = sum(x) / W`, `var = sum((x - mean)^2) / W` (biased),
    `rstd = 1 / sqrt(var + epsilon)`,
    `result = (x - mean) * rstd * weight + bias`.
    `mean` and `rstd` keep the input's shape with the last dim 1; the
    backward pass uses them instead of recomputing the reductions.
    Formed by `clip-fuse-layer-norm` from the reductions and elementwise ops
    of `nn.LayerNorm`.

    ```mlir
    %y, %mean, %rstd = clip.layer_norm %x, %w, %b epsilon 1.0e-05 : (tensor<2x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> (tensor<2x77x512xf32>, tensor<2x77x1xf32>, tensor<2x77x1xf32>)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input, Clip_FloatTensor:$weight,
                   Clip_FloatTensor:$bias,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$epsilon);
  let results = (outs Clip_FloatTensor:$result, Clip_FloatTensor:$mean,
                      Clip_FloatTensor:$rstd);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `epsilon` $epsilon attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_AddLayerNormOp : Clip_Op<"add_layer_norm",
    [Pure, Clip_InferredShape, Clip_ReadableResults,
     Clip_Differentiable]> {
  let summary = "residual add followed by layer normalization";
  let description = [{
    `sum = input + residual` (same shapes, no broadcasting), then
    `clip.layer_norm` of `sum`. Returns `sum` too: in a pre-LN transformer the
    sum is the residual stream that the next block adds to. One pass over
    memory instead of two.

    ```mlir
    %sum, %y, %mean, %rstd = clip.add_layer_norm %x, %attn, %w, %b epsilon 1.0e-05 : (tensor<2x77x512xf32>, tensor<2x77x512xf32>, tensor<512xf32>, tensor<512xf32>) -> (tensor<2x77x512xf32>, tensor<2x77x512xf32>, tensor<2x77x1xf32>, tensor<2x77x1xf32>)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input, Clip_FloatTensor:$residual,
                   Clip_FloatTensor:$weight, Clip_FloatTensor:$bias,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$epsilon);
  let results = (outs Clip_FloatTensor:$sum, Clip_FloatTensor:$result,
                      Clip_FloatTensor:$mean, Clip_FloatTensor:$rstd);
  let assemblyFormat = [{
    $input `,` $residual `,` $weight `,` $bias `epsilon` $epsilon attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_AttentionOp : Clip_Op<"attention", [Pure, Clip_InferredShape, Clip_ReadableResults,
     Clip_Differentiable]> {
  let summary = "scaled dot-product attention with its log-sum-exp";
  let description = [{
    Operands have the same leading (batch, head) dims:
    `query [..., Lq, D]`, `key [..., Lk, D]`, `value [..., Lk, Dv]`.
    For each query row `i`:
    `s[j] = scale * dot(query[i], key[j])`, with `s[j] = -inf` for `j > i`
    when `causal` (then `Lq == Lk`);
    `lse[i] = log(sum_j exp(s[j]))`;
    `result[i] = sum_j exp(s[j] - lse[i]) * value[j]`.
    `lse` has the shape of the query without its last dim, in f32 for f16 and
    bf16 inputs (else the input type). The backward pass recomputes the
    probabilities from it tile by tile (FlashAttention), so the `Lq x Lk`
    scores are never stored. Formed by `clip-fuse-attention` from
    `softmax(scale * q k^T + mask) v`; the head split and merge stay outside
    as reshapes and transposes.

    ```mlir
    %result, %lse = clip.attention %q, %k, %v scale 1.250000e-01 causal : (tensor<2x8x77x64xf32>, tensor<2x8x77x64xf32>, tensor<2x8x77x64xf32>) -> (tensor<2x8x77x64xf32>, tensor<2x8x77xf32>)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$query, Clip_FloatTensor:$key,
                   Clip_FloatTensor:$value,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$scale,
                   UnitAttr:$causal);
  let results = (outs Clip_FloatTensor:$result, Clip_FloatTensor:$lse);
  let assemblyFormat = [{
    $query `,` $key `,` $value `scale` $scale (`causal` $causal^)? attr-dict
    `:` functional-type(operands, results)
  }];
}

def Clip_ContrastiveLossOp : Clip_Op<"contrastive_loss",
    [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "CLIP's symmetric contrastive loss, without an N x N result";
  let description = [{
    `image [N, D]` and `text [N, D]` (same type), `logit_scale` a scalar of
    their element type. With `image_norm = max(||image_i||, epsilon)` per row
    (`F.normalize`), likewise `text_norm`, and
    `logits[i, j] = exp(logit_scale) * dot(image_i / image_norm_i,
    text_j / text_norm_j)`:
    `image_lse[i] = log(sum_j exp(logits[i, j]))` (rows),
    `text_lse[j] = log(sum_i exp(logits[i, j]))` (columns),
    `loss = (mean_i(image_lse[i] - logits[i, i]) +
             mean_j(text_lse[j] - logits[j, j])) / 2`,
    OpenCLIP's `ClipLoss`: cross-entropy of image->text and text->image
    against the diagonal. The norms (`[N, 1]`) and log-sum-exps (`[N]`) are
    what the backward needs to rebuild any tile of the softmax, so neither
    pass stores the `N x N` logits. Formed by `clip-fuse-contrastive-loss`.

    ```mlir
    %loss, %image_norm, %text_norm, %image_lse, %text_lse = clip.contrastive_loss %img, %txt, %logit_scale epsilon 9.9999999999999998E-13 : (tensor<256x512xf32>, tensor<256x512xf32>, tensor<f32>) -> (tensor<f32>, tensor<256x1xf32>, tensor<256x1xf32>, tensor<256xf32>, tensor<256xf32>)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$image, Clip_FloatTensor:$text,
                   Clip_FloatTensor:$logit_scale,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$epsilon);
  let results = (outs Clip_FloatTensor:$loss, Clip_FloatTensor:$image_norm,
                      Clip_FloatTensor:$text_norm, Clip_FloatTensor:$image_lse,
                      Clip_FloatTensor:$text_lse);
  let assemblyFormat = [{
    $image `,` $text `,` $logit_scale `epsilon` $epsilon attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_SigmoidLossOp : Clip_Op<"sigmoid_loss",
    [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "SigLIP's pairwise sigmoid loss, without an N x N result";
  let description = [{
    `image [N, D]` and `text [N, D]` (same type), `logit_scale` and
    `logit_bias` scalars of their element type. With the unit rows `a_i =
    image_i / max(||image_i||, epsilon)` and `b_j` likewise (`F.normalize`),
    `logits[i, j] = exp(logit_scale) * dot(a_i, b_j) + logit_bias` and
    `z[i, j] = 1` on the diagonal, `-1` off it:
    `loss = -sum_ij log(sigmoid(z[i, j] * logits[i, j])) / N`,
    OpenCLIP's `SigLipLoss` (one device; its `logit_scale` is our
    `exp(logit_scale)`). Every pair is independent, so a tile of logits is
    formed, summed and dropped; only the norms (`[N, 1]`) are kept for the
    backward. Formed from the unfused graph by `clip-fuse-contrastive-loss`,
    or chosen for a CLIP model by `clipc --loss siglip`
    (`clip-use-sigmoid-loss`).

    ```mlir
    %loss, %image_norm, %text_norm = clip.sigmoid_loss %img, %txt, %scale, %bias epsilon 9.9999999999999998E-13 : (tensor<256x512xf32>, tensor<256x512xf32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<256x1xf32>, tensor<256x1xf32>)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$image, Clip_FloatTensor:$text,
                   Clip_FloatTensor:$logit_scale, Clip_FloatTensor:$logit_bias,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$epsilon);
  let results = (outs Clip_FloatTensor:$loss, Clip_FloatTensor:$image_norm,
                      Clip_FloatTensor:$text_norm);
  let assemblyFormat = [{
    $image `,` $text `,` $logit_scale `,` $logit_bias `epsilon` $epsilon
    attr-dict `:` functional-type(operands, results)
  }];
}

def Clip_GemmOp : Clip_Op<"gemm",
    [Pure, AttrSizedOperandSegments, Clip_InferredShape,
     Clip_ReadableResults, Clip_Differentiable]> {
  let summary = "matmul with a fused epilogue: bias, activation, residual";
  let description = [{
    `result = activation(matmul(lhs, rhs) + bias) + residual`, where the
    matmul is `clip.matmul` (same shapes and transposes), `bias` is `[N]`
    (broadcast over rows), `residual` has the result's type, and each part of
    the epilogue is optional. One kernel: the product never goes to memory
    before its bias and activation (cuBLASLt's `EPILOGUE_GELU_BIAS`, a CPU
    GEMM's store loop). Formed by `clip-fuse-epilogues`.

    ```mlir
    %h = clip.gemm %x, %w transpose_rhs bias %b activation quick_gelu : (tensor<2x77x512xf32>, tensor<2048x512xf32>, tensor<2048xf32>) -> tensor<2x77x2048xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$lhs, Clip_FloatTensor:$rhs,
                   Optional<Clip_FloatTensor>:$bias,
                   Optional<Clip_FloatTensor>:$residual,
                   UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs,
                   DefaultValuedAttr<Clip_Activation,
                       "::mlir::clip::Activation::none">:$activation);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? (`bias` $bias^)?
    (`activation` $activation^)? (`residual` $residual^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_ElementwiseOp : Clip_Op<"elementwise",
    [Pure, IsolatedFromAbove, Clip_Pointwise, Clip_ReadableResults,
     Clip_Differentiable]> {
  let summary = "a group of elementwise and broadcast ops run as one kernel";
  let description = [{
    The body computes the results from the block arguments (one per input,
    same types) with elementwise, broadcast and scalar-constant clip ops
    only, and yields them. Every value in the body broadcasts to the shape of
    the largest result, so one loop over that shape computes all of them,
    reading each input once and writing only the results: the values between
    the ops never go to memory. Formed by `clip-fuse-elementwise`.

    ```mlir
    %r = clip.elementwise (%x, %s) : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32> {
    ^bb0(%a: tensor<4x8xf32>, %b: tensor<f32>):
      %e = clip.exp %b : tensor<f32>
      %m = clip.mul %a, %e : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
      clip.yield %m : tensor<4x8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Clip_Tensor>:$inputs);
  let results = (outs Variadic<Clip_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether `op` may appear in the body of a `clip.elementwise`.
    static bool isFusible(::mlir::Operation *op);
  }];
}

def Clip_YieldOp : Clip_Op<"yield",
    [Pure, Terminator, HasParent<"ElementwiseOp">]> {
  let summary = "the results of a clip.elementwise body";
  let arguments = (ins Variadic<Clip_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // CLIP_FUSED_OPS_TD
