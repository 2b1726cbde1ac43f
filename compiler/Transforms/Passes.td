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

def FuseAttention : Pass<"clip-fuse-attention"> {
  let summary = "Fuse softmax(scale * q k^T + mask) v into clip.attention";
  let description = [{
    Finds scaled dot-product attention per head written as ops,

        scores = matmul(q, k, transpose_rhs)      (or matmul(q, transpose(k)))
        probs  = softmax(scores * scale [+ causal mask], last axis)
        out    = matmul(probs, v)

    and replaces it by `clip.attention %q, %k, %v scale S [causal]`. Scalar
    constant factors (`mul`, `div`, `neg`) on the scores, on q or on k are
    multiplied into `S`; a causal mask may be `clip.causal_mask` or an equal
    constant, added (-inf) or applied by `select` with a -inf splat. The
    scores, probabilities and scaled operands must be used only inside the
    pattern and q, k, v must have the same leading dims; anything else is
    left alone. The head split and merge (reshape/transpose) stay as they are.
  }];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def FuseContrastiveLoss : Pass<"clip-fuse-contrastive-loss"> {
  let summary = "Fuse CLIP's and SigLIP's losses written as ops";
  let description = [{
    Finds OpenCLIP's `ClipLoss` written as ops,

        logits = exp(logit_scale) * normalize(image) normalize(text)^T
        loss   = -0.5 * (mean(diag(log_softmax(logits, 1)))
                         + mean(diag(log_softmax(logits, 0))))

    (`diag` as a batch gather with `iota` labels; the text side also as
    `log_softmax(transpose(logits), 1)` or as its own `logits_per_text`
    matmul; `-0.5` in any spelling of neg/mul/div) and replaces the loss by
    `clip.contrastive_loss %image, %text, %logit_scale epsilon E`. The logits
    may have other users (a model returns them); the loss intermediates must
    not. Likewise SigLIP's loss (OpenCLIP's `SigLipLoss`),

        loss = -sum(log(sigmoid(labels * (logits + logit_bias)))) / N

    with `labels = 2 I - 1` (a constant, or `select(iota(0) == iota(1), 1,
    -1)`), becomes `clip.sigmoid_loss`.
  }];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def LockTowers : Pass<"clip-lock-towers", "::mlir::ModuleOp"> {
  let summary = "Freeze a tower's parameters (LiT: OpenCLIP's --lock-image, --lock-text)";
  let description = [{
    Marks the parameters of a locked tower `frozen`, so that clip-autodiff
    computes no gradient for them (and the memory plan keeps nothing for
    it). With N unlocked groups, the last N of OpenCLIP's groups stay
    trainable: for a ViT image tower [conv1, class_embedding,
    positional_embedding, ln_pre], each resblock but the last, [the last
    resblock, ln_post], [proj]; for the text tower [token_embedding,
    positional_embedding], each resblock but the last, [the last resblock,
    ln_final], [text_projection]. Parameters are told apart by their
    OpenCLIP names ("visual." is the image tower; logit_scale and
    logit_bias belong to neither and stay trainable). A ResNet image tower
    locks whole (as OpenCLIP's), and its BatchNorm keeps its running
    statistics: locking it after clip-train-batch-norm is an error.
  }];
  let options = [
    Option<"lockImage", "lock-image", "bool", /*default=*/"false",
           "freeze the image tower">,
    Option<"imageUnlockedGroups", "image-unlocked-groups", "int64_t",
           /*default=*/"0", "of a locked image tower, the last groups that stay trainable">,
    Option<"lockText", "lock-text", "bool", /*default=*/"false",
           "freeze the text tower">,
    Option<"textUnlockedGroups", "text-unlocked-groups", "int64_t",
           /*default=*/"0", "of a locked text tower, the last groups that stay trainable">
  ];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def InsertDropout : Pass<"clip-insert-dropout", "::mlir::ModuleOp"> {
  let summary = "Dropout in the transformer blocks of the training graph";
  let description = [{
    In the function `function` (the one clip-autodiff turns into the
    training step; inference functions stay as they are), adds
    `clip.dropout` with the tower's rate where a ViT-B/16 + text tower
    recipe puts it: on each block's attention output (after the output
    projection's bias, before the residual add), on the MLP's hidden
    activation (after the GELU) and on the MLP's output (after c_proj's bias,
    before the residual add). The points are found by the parameters that
    feed them (`...resblocks.N.attn.out_proj.bias`, `...mlp.c_fc.bias`,
    `...mlp.c_proj.bias`; "visual." is the image tower), so run it after
    clip-prepare and before fusion. The seed is a new input `rng_seed`
    (rank-0 i64); each dropout gets its own stream, numbered in program
    order. Fails where a rate is outside [0, 1) or no point is found.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "the function to add dropout to">,
    Option<"imageRate", "image-rate", "double", /*default=*/"0.0",
           "the image tower's dropout rate">,
    Option<"textRate", "text-rate", "double", /*default=*/"0.0",
           "the text tower's dropout rate">
  ];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def UseSigmoidLoss : Pass<"clip-use-sigmoid-loss", "::mlir::ModuleOp"> {
  let summary = "Train a CLIP model with SigLIP's sigmoid loss";
  let description = [{
    Replaces each `clip.contrastive_loss` (after `clip-fuse-contrastive-loss`)
    by `clip.sigmoid_loss` on the same embeddings, `logit_scale` and epsilon,
    with a new scalar parameter `logit_bias` beside `logit_scale` (the
    runtime initializes a model that has one as OpenCLIP's SigLIP: scale
    ln 10, bias -10). How `clipc --loss siglip` trains a model file written
    with the CLIP loss: the file keeps one graph. Fails where the loss's
    norms or log-sum-exps have other users, where there is no contrastive
    loss, or where a `logit_bias` parameter exists already.
  }];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def PatchesAsMatmul : Pass<"clip-patches-as-matmul"> {
  let summary = "A convolution whose stride equals its kernel as one matmul";
  let description = [{
    Rewrites `clip.conv2d` with stride == kernel (not 1 x 1), no padding,
    unit dilation,
    one group and image sides that the kernel divides (a ViT's patch
    embedding) into a reshape and transpose of the image into patches
    `[N * H/kh * W/kw, C * kh * kw]`, a `clip.matmul` with the flattened
    weight (`transpose_rhs`), the bias as a broadcast add, and the result
    back to NCHW. Static shapes only (after `clip-prepare`). The image's
    gradient then becomes a product of its own that training drops when
    nothing reads it.
  }];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def FuseEpilogues : Pass<"clip-fuse-epilogues"> {
  let summary = "Fold bias, GELU and residual adds into clip.gemm";
  let description = [{
    Grows `clip.gemm` from a float `clip.matmul`: a following `+ [N]` bias,
    then `clip.gelu` (any approximation), then a `+` of a tensor of the
    result's type (the residual), each only in that order and only when the
    value it extends has no other user.
  }];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def FuseElementwise : Pass<"clip-fuse-elementwise"> {
  let summary = "Group chains of elementwise ops into clip.elementwise";
  let description = [{
    Merges each elementwise or broadcast op (or group) into the elementwise
    op or group that reads it, when the producer's other readers come after
    the consumer; repeated to a fixpoint, every chain becomes one
    `clip.elementwise` whose body holds the ops and whose results are the
    values read outside. Scalar constants are copied into bodies. A lone
    elementwise op stays as it is.
  }];
  let dependentDialects = ["::mlir::clip::ClipDialect"];
}

def Autodiff : Pass<"clip-autodiff", "::mlir::ModuleOp"> {
  let summary = "Build the training function: the loss and every parameter's gradient";
  let description = [{
    From `function` (default `forward`, block functions inlined, its first
    result the scalar loss) builds `train-function` (default `train_step`):
    the forward ops, then the reverse-mode gradient of the loss, returning
    the loss and one gradient per trainable (not `frozen`) parameter, in the
    order the parameters first appear; each gradient result carries
    `clip.gradient = "<parameter name>"`; then, for each training-mode
    BatchNorm, its updated running mean and variance, tagged
    `clip.running_update = "<parameter name>"`. Gradients are built only for values
    that both depend on a trainable parameter and reach the loss; a value
    used several times gets its gradients summed once; declarations of the
    same parameter name share one gradient. Each op's rule comes from its
    DifferentiableOpInterface; an op without one is reported. Dead forward
    ops (the other results of `function`) are removed.
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"forward\"",
           "the function to differentiate (its first result is the loss)">,
    Option<"trainFunction", "train-function", "std::string",
           /*default=*/"\"train_step\"", "the name of the function built">,
    Option<"rematPolicy", "remat", "std::string", /*default=*/"\"none\"",
           "what the backward recomputes instead of saving: none (keep all), "
           "attention (attention and its head reshapes), block (keep only the "
           "layer norms' results: the residual stream, normalized inputs and "
           "statistics)">,
    Option<"reportSaved", "report-saved", "bool", /*default=*/"false",
           "print the tensors and bytes the backward reads from the forward "
           "(the activations a step keeps), total and per sample">
  ];
  let dependentDialects = ["::mlir::clip::ClipDialect",
                           "::mlir::func::FuncDialect"];
}

def SplitTrainStep : Pass<"clip-split-train-step", "::mlir::ModuleOp"> {
  let summary = "Split the training function at its contrastive loss (data-parallel training)";
  let description = [{
    From `train_step` (built by clip-autodiff, its loss one
    `clip.contrastive_loss` and that loss's `clip.contrastive_loss_grad`)
    builds two more functions, so that a runtime can take the loss over the
    features of every process between them (docs/distributed.md):
    `train_embed`, the ops the loss's image and text features depend on,
    returning the features (`clip.output = "features/image"`, `"features/text"`),
    BatchNorm's running updates and every other value the rest reads
    (`"saved/<k>"`); and `train_backward`, every other op, reading the
    features' and logit_scale's gradients and the saved values as
    `clip.input`s of those names, returning the parameters' gradients
    (but for one that is such an input unchanged, as logit_scale's is: the
    runtime has it).
    Parameters, inputs and constants are copied into each function that
    reads them rather than passed. `train_step` stays as it is. The loss's
    epsilon is recorded as the module's `clip.loss_epsilon`. Training-mode
    BatchNorm is refused: its statistics would be each process's, not the
    global batch's.
  }];
  let dependentDialects = ["::mlir::clip::ClipDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // CLIP_COMPILER_TRANSFORMS_PASSES_TD
