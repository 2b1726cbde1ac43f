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

def Clip_LayerNormOp : Clip_Op<"layer_norm", [Pure, Clip_InferredShape]> {
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
    [Pure, Clip_InferredShape]> {
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

#endif // CLIP_FUSED_OPS_TD
