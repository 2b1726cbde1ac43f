//===- ClipGradientOps.td - Ops that gradient rules build -----------------===//
//
// The backward counterparts of forward ops whose gradient is not itself a
// composition of forward ops (or would be a wasteful one). Built by the
// gradient rules (ClipGradients.cpp) during `clip-autodiff`. Included by
// ClipOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef CLIP_GRADIENT_OPS_TD
#define CLIP_GRADIENT_OPS_TD

def Clip_GeluGradOp : Clip_Op<"gelu_grad",
    [Pure, Elementwise, Clip_Pointwise, SameOperandsAndResultType]> {
  let summary = "gradient of clip.gelu: dy * gelu'(x)";
  let description = [{
    `none`: `dy * (Phi(x) + x phi(x))`; `tanh`: the derivative of the tanh
    form; `quick`: `dy * (s + 1.702 x s (1 - s))` with `s = sigmoid(1.702 x)`.
    Elementwise, so it joins `clip.elementwise` groups like any other.

    ```mlir
    %dx = clip.gelu_grad %x, %dy approximate quick : tensor<4x3072xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input, Clip_FloatTensor:$grad,
                   DefaultValuedAttr<Clip_GeluApproximation,
                       "::mlir::clip::GeluApproximation::none">:$approximation);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad (`approximate` $approximation^)? attr-dict `:`
    type($input)
  }];
}

def Clip_SliceGradOp : Clip_Op<"slice_grad", [Pure]> {
  let summary = "gradient of clip.slice: the slice's gradient placed in zeros";
  let description = [{
    The result (the sliced tensor's type) is zero except at the positions
    `start, start + step, ... < end` of `axis`, which hold `grad`.

    ```mlir
    %dx = clip.slice_grad %dy axis 1 from 0 to 1 : tensor<2x1x768xf32> -> tensor<2x197x768xf32>
    ```
  }];
  let arguments = (ins Clip_Tensor:$grad,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$start,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$end,
                   ConfinedAttr<DefaultValuedAttr<I64Attr, "1">,
                                [IntPositive]>:$step);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = [{
    $grad `axis` $axis `from` $start `to` $end (`step` $step^)? attr-dict `:`
    type($grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Clip_GatherGradOp : Clip_Op<"gather_grad", [Pure]> {
  let summary = "gradient of clip.gather: scatter-add into zeros";
  let description = [{
    The result has the gathered tensor's type; each element of `grad` is
    added at the position `clip.gather` with the same `indices`, `axis` and
    `batch_dims` read it from (repeated indices accumulate: a token embedding
    used twice gets both gradients).

    ```mlir
    %dw = clip.gather_grad %dy, %text axis 0 : (tensor<2x77x512xf32>, tensor<2x77xi64>) -> tensor<49408x512xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$grad, Clip_IntTensor:$indices,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                   ConfinedAttr<DefaultValuedAttr<I64Attr, "0">,
                                [IntNonNegative]>:$batch_dims);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $indices `axis` $axis (`batch_dims` $batch_dims^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Clip_LayerNormGradOp : Clip_Op<"layer_norm_grad",
    [Pure, Clip_InferredShape]> {
  let summary = "backward of clip.layer_norm from its saved statistics";
  let description = [{
    With `xhat = (input - mean) * rstd` and `dxhat = grad * weight`, per row
    of `W` elements:
    `input_grad = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))`,
    `weight_grad = sum over rows of grad * xhat`, `bias_grad = sum of grad`.
    One pass over the rows; the forward's `mean` and `rstd` are reused, not
    recomputed.

    ```mlir
    %dx, %dw, %db = clip.layer_norm_grad %dy, %x, %mean, %rstd, %w : (tensor<2x77x512xf32>, tensor<2x77x512xf32>, tensor<2x77x1xf32>, tensor<2x77x1xf32>, tensor<512xf32>) -> (tensor<2x77x512xf32>, tensor<512xf32>, tensor<512xf32>)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$grad, Clip_FloatTensor:$input,
                   Clip_FloatTensor:$mean, Clip_FloatTensor:$rstd,
                   Clip_FloatTensor:$weight);
  let results = (outs Clip_FloatTensor:$input_grad,
                      Clip_FloatTensor:$weight_grad,
                      Clip_FloatTensor:$bias_grad);
  let assemblyFormat = [{
    $grad `,` $input `,` $mean `,` $rstd `,` $weight attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_AttentionGradOp : Clip_Op<"attention_grad",
    [Pure, Clip_InferredShape]> {
  let summary = "backward of clip.attention, recomputing the probabilities";
  let description = [{
    From the output gradient `grad`, the forward operands and results
    (`output`, `lse`): `P = exp(scale q k^T [masked] - lse)` (recomputed tile
    by tile, never stored), `D = rowsum(grad * output)`,
    `dS = P * (grad v^T - D)`, `query_grad = scale dS k`,
    `key_grad = scale dS^T q`, `value_grad = P^T grad`. FlashAttention's
    backward.

    ```mlir
    %dq, %dk, %dv = clip.attention_grad %do, %q, %k, %v, %o, %lse scale 1.250000e-01 causal : (...) -> (...)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$grad, Clip_FloatTensor:$query,
                   Clip_FloatTensor:$key, Clip_FloatTensor:$value,
                   Clip_FloatTensor:$output, Clip_FloatTensor:$lse,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$scale,
                   UnitAttr:$causal);
  let results = (outs Clip_FloatTensor:$query_grad, Clip_FloatTensor:$key_grad,
                      Clip_FloatTensor:$value_grad);
  let assemblyFormat = [{
    $grad `,` $query `,` $key `,` $value `,` $output `,` $lse `scale` $scale
    (`causal` $causal^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Clip_ContrastiveLossGradOp : Clip_Op<"contrastive_loss_grad",
    [Pure, Clip_InferredShape]> {
  let summary = "backward of clip.contrastive_loss, tile by tile";
  let description = [{
    With `a = image / image_norm`, `b = text / text_norm`, `s =
    exp(logit_scale)`, `L = s a b^T` (formed a tile at a time from the
    saved norms and log-sum-exps, never whole):
    `dL = grad / (2N) * (exp(L - image_lse[row]) + exp(L - text_lse[col]) - 2 I)`,
    `da = s dL b`, `db = s dL^T a`, `logit_scale_grad = sum(dL * L)`; the
    embedding gradients go back through the normalization
    (`(da - a (a . da)) / norm`, or `da / epsilon` where the norm was
    clamped).

    ```mlir
    %di, %dt, %ds = clip.contrastive_loss_grad %dl, %i, %t, %s, %in, %tn, %il, %tl epsilon 9.9999999999999998E-13 : (...) -> (...)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$grad, Clip_FloatTensor:$image,
                   Clip_FloatTensor:$text, Clip_FloatTensor:$logit_scale,
                   Clip_FloatTensor:$image_norm, Clip_FloatTensor:$text_norm,
                   Clip_FloatTensor:$image_lse, Clip_FloatTensor:$text_lse,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$epsilon);
  let results = (outs Clip_FloatTensor:$image_grad, Clip_FloatTensor:$text_grad,
                      Clip_FloatTensor:$logit_scale_grad);
  let assemblyFormat = [{
    $grad `,` $image `,` $text `,` $logit_scale `,` $image_norm `,`
    $text_norm `,` $image_lse `,` $text_lse `epsilon` $epsilon attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_SigmoidLossGradOp : Clip_Op<"sigmoid_loss_grad",
    [Pure, Clip_InferredShape]> {
  let summary = "backward of clip.sigmoid_loss, tile by tile";
  let description = [{
    With `a`, `b`, `s = exp(logit_scale)`, `logits` and `z` as in
    clip.sigmoid_loss (formed a tile at a time from the saved norms):
    `dL = -grad / N * z * sigmoid(-z * logits)`, `da = s dL b`,
    `db = s dL^T a`, `logit_scale_grad = sum(dL * (logits - logit_bias))`,
    `logit_bias_grad = sum(dL)`; the embedding gradients go back through the
    normalization as in clip.contrastive_loss_grad.

    ```mlir
    %di, %dt, %ds, %db = clip.sigmoid_loss_grad %dl, %i, %t, %s, %b, %in, %tn epsilon 9.9999999999999998E-13 : (...) -> (...)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$grad, Clip_FloatTensor:$image,
                   Clip_FloatTensor:$text, Clip_FloatTensor:$logit_scale,
                   Clip_FloatTensor:$logit_bias, Clip_FloatTensor:$image_norm,
                   Clip_FloatTensor:$text_norm,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$epsilon);
  let results = (outs Clip_FloatTensor:$image_grad, Clip_FloatTensor:$text_grad,
                      Clip_FloatTensor:$logit_scale_grad,
                      Clip_FloatTensor:$logit_bias_grad);
  let assemblyFormat = [{
    $grad `,` $image `,` $text `,` $logit_scale `,` $logit_bias `,`
    $image_norm `,` $text_norm `epsilon` $epsilon attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_Conv2DGradOp : Clip_Op<"conv2d_grad", [Pure, Clip_InferredShape]> {
  let summary = "backward of clip.conv2d: input and weight gradients";
  let description = [{
    For `result = conv2d(input, weight)` with the same stride, padding,
    dilation and groups: `input_grad` (the transposed convolution of `grad`
    with `weight`) and `weight_grad` (the correlation of `input` with
    `grad`), in one walk over the output. The bias gradient is a plain sum.

    ```mlir
    %dx, %dw = clip.conv2d_grad %dy, %x, %w stride [16, 16] padding [0, 0] : (tensor<2x768x14x14xf32>, tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$grad, Clip_FloatTensor:$input,
                   Clip_FloatTensor:$weight,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                   OptionalAttr<DenseI64ArrayAttr>:$dilation,
                   ConfinedAttr<DefaultValuedAttr<I64Attr, "1">,
                                [IntPositive]>:$groups);
  let results = (outs Clip_FloatTensor:$input_grad,
                      Clip_FloatTensor:$weight_grad);
  let assemblyFormat = [{
    $grad `,` $input `,` $weight `stride` $stride `padding` $padding
    (`dilation` $dilation^)? (`groups` $groups^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_AvgPool2DGradOp : Clip_Op<"avg_pool2d_grad", [Pure]> {
  let summary = "backward of clip.avg_pool2d";
  let description = [{
    Spreads each output gradient evenly over its window (padding included in
    the count, as the forward): the result has the pooled input's type.

    ```mlir
    %dx = clip.avg_pool2d_grad %dy kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<2x64x28x28xf32> -> tensor<2x64x56x56xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$grad, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `kernel` $kernel `stride` $stride `padding` $padding attr-dict `:`
    type($grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // CLIP_GRADIENT_OPS_TD
