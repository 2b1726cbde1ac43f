//===- Passes.td - Passes over the clip dialect ---------------------------===//
#ifndef CLIP_COMPILER_TRANSFORMS_PASSES_TD
#define CLIP_COMPILER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SpecializeBatch : Pass<"clip-specialize-batch", "::mlir::ModuleOp"> {
  let summary = "Replace the dynamic batch dimension by a number";
  let description = [{
    A model declares its batch dimension as `?`. This pass gives every `?` in
    the module the value `batch-size`: in function signatures, in the declared
    types of ops that do not infer their result (inputs, broadcasts, casts,
    ...), and by re-running type inference on every other op in order, so a
    reshape that folds the batch into another dim (`[-1, 768]`) gets
    `batch * 197` rather than the batch. Callees are specialized before their
    callers. A shape that no longer checks out is reported at its op.
  }];
  let options = [
    Option<"batchSize", "batch-size", "int64_t", /*default=*/"0",
           "the batch size that replaces every `?` (required, >= 1)">
  ];
  let dependentDialects = ["::mlir::clip::ClipDialect",
                           "::mlir::func::FuncDialect"];
}

def CheckNames : Pass<"clip-check-names", "::mlir::ModuleOp"> {
  let summary = "Check that each parameter and input name means one tensor";
  let description = [{
    A name may be declared more than once (block functions each declare what
    they use; CSE merges the copies after inlining), but every declaration of
    a name must agree: the same type, the same `frozen` flag, and a name is
    either a parameter or an input, never both. The first clash is reported at
    the later declaration, with a note at the earlier one. Changes nothing.
  }];
}

def ParamSummary : Pass<"clip-param-summary", "::mlir::ModuleOp"> {
  let summary = "Print the model's parameters: counts, elements, bytes";
  let description = [{
    Prints one line per distinct parameter name (`--clip-param-summary=
    list=true`) and a total: trainable elements (what OpenCLIP's
    `docs/model_profile.csv` counts as parameters), frozen elements (BatchNorm
    running statistics and parameters marked `frozen`), tensors, bytes.
    Written to stdout; changes nothing.
  }];
  let options = [
    Option<"list", "list", "bool", /*default=*/"false",
           "also list every parameter with its shape">
  ];
}

def TrainBatchNorm : Pass<"clip-train-batch-norm", "::mlir::ModuleOp"> {
  let summary = "Use batch statistics in every batch norm (training mode)";
  let description = [{
    Model files declare BatchNorm in inference mode (`clip.batch_norm`, with
    the running statistics). Training uses the batch's statistics and updates
    the running ones, as PyTorch's `BatchNorm2d.train()`: this pass rewrites
    each `clip.batch_norm` into `clip.batch_norm_train` with `momentum`.
  }];
  let options = [
    Option<"momentum", "momentum", "double", /*default=*/"0.1",
           "weight of the batch statistics in the running update">
  ];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def FuseLayerNorm : Pass<"clip-fuse-layer-norm"> {
  let summary = "Fuse LayerNorm's reductions and elementwise ops into clip.layer_norm";
  let description = [{
    Finds `nn.LayerNorm` over the last dim written out as ops:

        mean = reduce_mean(x, last, keepdims); c = x - mean
        var = reduce_mean(c * c, last, keepdims)
        y = c * rsqrt(var + eps) * weight + bias

    (also `c / sqrt(var + eps)`, and any order of the operands of the
    commutative adds and multiplies) and replaces it by `clip.layer_norm`.
    Every intermediate must be used only inside the pattern, `eps` must be a
    positive scalar constant, `weight` and `bias` must be `[W]`; anything else
    is left alone. A layer norm whose input is a same-shape `clip.add` used
    only at or after it becomes `clip.add_layer_norm`, which also returns the
    sum for the other users (the residual stream).
  }];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

#endif // CLIP_COMPILER_TRANSFORMS_PASSES_TD
