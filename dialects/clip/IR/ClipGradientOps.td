//===- ClipGradientOps.td - Ops that gradient rules build ------------------===//
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
    [Pure, Elementwise, SameOperandsAndResultType]> {
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

#endif // CLIP_GRADIENT_OPS_TD
