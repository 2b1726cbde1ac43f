//===- ClipOps.td - Operations of the clip dialect ------------------------===//
//
// Conventions shared by every op:
//  * Value semantics on builtin ranked tensors.
//  * Axes are non-negative and must be smaller than the rank.
//  * Elementwise binary ops broadcast like NumPy (trailing dims aligned, a dim
//    of 1 stretches); their operands must have the same element type.
//  * The printed result type is verified against the inferred one, so a wrong
//    shape in a hand-written model is reported at the op that has it.
//
//===----------------------------------------------------------------------===//

#ifndef CLIP_OPS_TD
#define CLIP_OPS_TD

include "clip/IR/ClipBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpAsmInterface.td"
include "clip/IR/ClipInterfaces.td"

// Ops with a gradient rule (ClipGradients.cpp) for clip-autodiff.
def Clip_Differentiable
    : DeclareOpInterfaceMethods<Clip_DifferentiableOpInterface>;

// Verifies the declared result types against the op's shape rule before the
// InferTypeOpInterface trait does, so that a bad shape gets one message (the
// rule's own, naming operand, dim and sizes) instead of two.
def Clip_ShapeChecked : NativeOpTrait<"ShapeChecked"> {
  let cppNamespace = "::mlir::clip";
}
def Clip_InferredShape : TraitList<[Clip_ShapeChecked, InferTypeOpAdaptor]>;

// Marks ops whose operands broadcast against each other elementwise.
def Clip_BroadcastingElementwise : NativeOpTrait<"BroadcastingElementwise"> {
  let cppNamespace = "::mlir::clip";
}

// Result element i is a scalar function of the operands' elements at i
// (after broadcasting): the op joins `clip.elementwise` groups
// (clip-fuse-elementwise), runs as one generated loop on every target, and
// its launch may write over an input it reads last (kernel-reuse-in-place).
// The one definition of "pointwise" every pass asks (clip::isPointwise).
def Clip_Pointwise : NativeOpTrait<"Pointwise"> {
  let cppNamespace = "::mlir::clip";
}

//===----------------------------------------------------------------------===//
// Sources: parameters, inputs, constants, iota, masks.
//===----------------------------------------------------------------------===//

// Parameters and inputs print their results under their own names
// (`%visual.proj = clip.param "visual.proj"`), so a printed graph reads.
def Clip_NamedResult
    : DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>;

def Clip_ParamOp : Clip_Op<"param", [Pure, Clip_NamedResult]> {
  let summary = "a named trainable parameter";
  let description = [{
    A model parameter, named by its OpenCLIP state-dict key. Its shape is
    static. `frozen` parameters get no gradient.

    ```mlir
    %w = clip.param "visual.proj" : tensor<768x512xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, UnitAttr:$frozen);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = "$name (`frozen` $frozen^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Clip_InputOp : Clip_Op<"input", [Pure, Clip_NamedResult]> {
  let summary = "a named model input";
  let description = [{
    A value fed by the caller (images, token ids, labels). A `?` dimension is
    the batch size.

    ```mlir
    %text = clip.input "text" : tensor<?x77xi64>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Clip_ConstantOp : Clip_Op<"constant",
    [Pure, ConstantLike, Clip_InferredShape]> {
  let summary = "a constant tensor";
  let description = [{
    ```mlir
    %scale = clip.constant dense<0.125> : tensor<f32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Clip_IotaOp : Clip_Op<"iota", [Pure]> {
  let summary = "indices along one dimension";
  let description = [{
    `result[i_0, ..., i_n] = i_dim`, converted to the element type. With
    `clip.cmp` and `clip.select` it builds masks and labels.

    ```mlir
    %labels = clip.iota dim 0 : tensor<?xi64>
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$dim);
  let results = (outs Clip_NumericTensor:$result);
  let assemblyFormat = "`dim` $dim attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Clip_CausalMaskOp : Clip_Op<"causal_mask", [Pure]> {
  let summary = "the causal (lower-triangular) attention mask";
  let description = [{
    Over the last two dimensions (query row `i`, key column `j`): position
    `j` is visible from `i` when `j <= i`. A float result is additive (0 where
    visible, -inf elsewhere, like OpenCLIP's `build_causal_mask`); an `i1`
    result is true where visible.

    ```mlir
    %mask = clip.causal_mask : tensor<77x77xf32>
    ```
  }];
  let results = (outs RankedTensorOf<[F16, BF16, F32, F64, I1]>:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops.
//===----------------------------------------------------------------------===//

class Clip_UnaryOp<string mnemonic, TypeConstraint type, list<Trait> traits = []>
    : Clip_Op<mnemonic, !listconcat(traits,
        [Pure, Elementwise, Clip_Pointwise, SameOperandsAndResultType, Clip_Differentiable])> {
  let arguments = (ins type:$input);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Clip_NegOp : Clip_UnaryOp<"neg", Clip_NumericTensor> {
  let summary = "-x";
}
def Clip_ExpOp : Clip_UnaryOp<"exp", Clip_FloatTensor> {
  let summary = "e^x";
}
def Clip_LogOp : Clip_UnaryOp<"log", Clip_FloatTensor> {
  let summary = "natural logarithm";
}
def Clip_SqrtOp : Clip_UnaryOp<"sqrt", Clip_FloatTensor> {
  let summary = "square root";
}
def Clip_RsqrtOp : Clip_UnaryOp<"rsqrt", Clip_FloatTensor> {
  let summary = "1 / sqrt(x)";
}
def Clip_TanhOp : Clip_UnaryOp<"tanh", Clip_FloatTensor> {
  let summary = "hyperbolic tangent";
}
def Clip_SigmoidOp : Clip_UnaryOp<"sigmoid", Clip_FloatTensor> {
  let summary = "1 / (1 + e^-x)";
}
def Clip_ErfOp : Clip_UnaryOp<"erf", Clip_FloatTensor> {
  let summary = "the Gauss error function";
}

def Clip_GeluOp : Clip_Op<"gelu",
    [Pure, Elementwise, Clip_Pointwise, SameOperandsAndResultType, Clip_Differentiable]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `none`: `x * 0.5 * (1 + erf(x / sqrt(2)))` (`nn.GELU()`);
    `tanh`: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`;
    `quick`: `x * sigmoid(1.702 x)` (OpenAI CLIP's QuickGELU).

    ```mlir
    %y = clip.gelu %x approximate quick : tensor<4x3072xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input,
                   DefaultValuedAttr<Clip_GeluApproximation,
                       "::mlir::clip::GeluApproximation::none">:$approximation);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`approximate` $approximation^)? attr-dict `:` type($input)
  }];
  let hasFolder = 1;
}

def Clip_DropoutOp : Clip_Op<"dropout",
    [Pure, Clip_BroadcastingElementwise, Clip_Pointwise, Clip_InferredShape,
     Clip_Differentiable]> {
  let summary = "inverted dropout with a counter-based random mask";
  let description = [{
    Element e of the result is `input[e] / (1 - rate)` where the mask keeps
    it, else 0. The mask is a pure function of (`seed`, `stream`, e): word 0
    of Philox-4x32-10 (Salmon et al., SC'11) with key (seed's low and high
    32 bits) and counter (e's low and high 32 bits, `stream`, 0), kept when
    its top 24 bits / 2^24 >= `rate`. So the CPU, the GPU and the reference
    evaluator draw the same mask, and a recomputation (remat, a chunk
    recomputed) draws it again; the gradient is the same op on the result's
    gradient. `seed` is a rank-0 i64 (the runtime gives each step its own);
    each op of a graph has its own `stream`.

    ```mlir
    %y = clip.dropout %x, %seed rate 1.000000e-01 stream 3 : (tensor<2x50x768xf32>, tensor<i64>) -> tensor<2x50x768xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input, Clip_IntTensor:$seed,
                   F64Attr:$rate, I64Attr:$stream);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $seed `rate` $rate `stream` $stream attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Clip_CastOp : Clip_Op<"cast", [Pure, Clip_Pointwise, Clip_Differentiable]> {
  let summary = "element type conversion";
  let description = [{
    Converts each element (float <-> float with rounding to nearest even,
    float -> int truncating toward zero, int -> float, i1 -> 0/1).

    ```mlir
    %h = clip.cast %x : tensor<4x8xf32> to tensor<4x8xbf16>
    ```
  }];
  let arguments = (ins Clip_Tensor:$input);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops with broadcasting.
//===----------------------------------------------------------------------===//

class Clip_BinaryOp<string mnemonic, TypeConstraint type, list<Trait> traits = []>
    : Clip_Op<mnemonic, !listconcat(traits,
        [Pure, Clip_BroadcastingElementwise, Clip_Pointwise, Clip_InferredShape,
         Clip_Differentiable])> {
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$result);
  // `: T` when both operands and the result have type T, else `: (L, R) -> T`.
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:`
    custom<BroadcastTypes>(type($lhs), type($rhs), type($result))
  }];
  let hasFolder = 1;
}

def Clip_AddOp : Clip_BinaryOp<"add", Clip_NumericTensor, [Commutative]> {
  let summary = "lhs + rhs, broadcasting";
}
def Clip_SubOp : Clip_BinaryOp<"sub", Clip_NumericTensor> {
  let summary = "lhs - rhs, broadcasting";
}
def Clip_MulOp : Clip_BinaryOp<"mul", Clip_NumericTensor, [Commutative]> {
  let summary = "lhs * rhs, broadcasting";
}
def Clip_DivOp : Clip_BinaryOp<"div", Clip_NumericTensor> {
  let summary = "lhs / rhs, broadcasting (integers: truncating)";
}
def Clip_MaxOp : Clip_BinaryOp<"max", Clip_NumericTensor, [Commutative]> {
  let summary = "elementwise maximum, broadcasting (NaN propagates)";
}
def Clip_MinOp : Clip_BinaryOp<"min", Clip_NumericTensor, [Commutative]> {
  let summary = "elementwise minimum, broadcasting (NaN propagates)";
}

def Clip_CmpOp : Clip_Op<"cmp",
    [Pure, Clip_BroadcastingElementwise, Clip_Pointwise, Clip_InferredShape]> {
  let summary = "elementwise comparison, broadcasting, to i1";
  let description = [{
    ```mlir
    %visible = clip.cmp le, %col, %row : (tensor<1x77xi64>, tensor<77x1xi64>) -> tensor<77x77xi1>
    ```
  }];
  let arguments = (ins Clip_ComparePredicate:$predicate,
                   Clip_NumericTensor:$lhs, Clip_NumericTensor:$rhs);
  let results = (outs Clip_BoolTensor:$result);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:`
    functional-type(operands, results)
  }];
}

def Clip_SelectOp : Clip_Op<"select",
    [Pure, Clip_BroadcastingElementwise, Clip_Pointwise, Clip_InferredShape,
     Clip_Differentiable]> {
  let summary = "cond ? on_true : on_false, broadcasting all three";
  let description = [{
    ```mlir
    %s = clip.select %mask, %scores, %neg_inf : (tensor<77x77xi1>, tensor<2x8x77x77xf32>, tensor<f32>) -> tensor<2x8x77x77xf32>
    ```
  }];
  let arguments = (ins Clip_BoolTensor:$condition,
                   Clip_Tensor:$on_true, Clip_Tensor:$on_false);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:`
    functional-type(operands, results)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions.
//===----------------------------------------------------------------------===//

def Clip_MatmulOp : Clip_Op<"matmul", [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "batched matrix product with optional transposes";
  let description = [{
    `lhs: [..., M, K]` (or `[..., K, M]` with `transpose_lhs`), `rhs: [..., K,
    N]` (or `[..., N, K]` with `transpose_rhs`), result `[..., M, N]`. Both
    operands have rank >= 2; their leading (batch) dims broadcast. Accumulation
    is at least f32.

    ```mlir
    %s = clip.matmul %q, %k transpose_rhs : (tensor<2x8x77x64xf32>, tensor<2x8x77x64xf32>) -> tensor<2x8x77x77xf32>
    ```
  }];
  let arguments = (ins Clip_NumericTensor:$lhs, Clip_NumericTensor:$rhs,
                   UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Clip_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations over axes.
//===----------------------------------------------------------------------===//

class Clip_ReduceOp<string mnemonic, string what>
    : Clip_Op<mnemonic, [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = what # " over the given axes";
  let description = [{
    Reduces `input` over `axes` (distinct, in range). The reduced dims are
    dropped, or kept with size 1 under `keepdims`.

    ```mlir
    %m = clip.reduce_mean %x axes [2] keepdims : tensor<2x77x512xf32> -> tensor<2x77x1xf32>
    ```
  }];
  let arguments = (ins Clip_NumericTensor:$input, DenseI64ArrayAttr:$axes,
                   UnitAttr:$keepdims);
  let results = (outs Clip_NumericTensor:$result);
  let assemblyFormat = [{
    $input `axes` $axes (`keepdims` $keepdims^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Clip_ReduceSumOp : Clip_ReduceOp<"reduce_sum", "sum">;
def Clip_ReduceMeanOp : Clip_ReduceOp<"reduce_mean", "arithmetic mean">;
def Clip_ReduceMaxOp : Clip_ReduceOp<"reduce_max", "maximum">;

def Clip_ArgmaxOp : Clip_Op<"argmax", [Pure, Clip_InferredShape]> {
  let summary = "index of the first maximum along one axis, as i64";
  let description = [{
    EOS pooling takes the argmax of the token ids (`<|endoftext|>` has the
    largest id).

    ```mlir
    %eos = clip.argmax %text axis 1 : tensor<2x77xi64> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Clip_NumericTensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                   UnitAttr:$keepdims);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `axis` $axis (`keepdims` $keepdims^)? attr-dict `:`
    type($input) `->` type($result)
  }];
}

class Clip_SoftmaxLikeOp<string mnemonic, string what>
    : Clip_Op<mnemonic, [Pure, SameOperandsAndResultType, Clip_Differentiable]> {
  let summary = what # " along one axis";
  let arguments = (ins Clip_FloatTensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = "$input `axis` $axis attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Clip_SoftmaxOp : Clip_SoftmaxLikeOp<"softmax", "exp(x - max) / sum(exp(x - max))">;
def Clip_LogSoftmaxOp : Clip_SoftmaxLikeOp<"log_softmax", "x - max - log(sum(exp(x - max)))">;

//===----------------------------------------------------------------------===//
// Shape manipulation.
//===----------------------------------------------------------------------===//

def Clip_ReshapeOp : Clip_Op<"reshape", [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "same elements, new shape";
  let description = [{
    `shape` gives the new dims, row-major order kept; one entry may be -1 and
    is inferred from the element count (like `Tensor.view(-1, ...)`), which
    is how a reshape follows a dynamic batch.

    ```mlir
    %h = clip.reshape %x [-1, 77, 8, 64] : tensor<?x77x512xf32> -> tensor<?x77x8x64xf32>
    ```
  }];
  let arguments = (ins Clip_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = [{
    $input $shape attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Clip_TransposeOp : Clip_Op<"transpose", [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "permute dimensions";
  let description = [{
    `result.shape[i] = input.shape[permutation[i]]`.

    ```mlir
    %t = clip.transpose %h [0, 2, 1, 3] : tensor<2x77x8x64xf32> -> tensor<2x8x77x64xf32>
    ```
  }];
  let arguments = (ins Clip_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Clip_BroadcastOp : Clip_Op<"broadcast", [Pure, Clip_Pointwise, Clip_Differentiable]> {
  let summary = "materialize a NumPy broadcast to the result shape";
  let description = [{
    The input's dims align with the trailing dims of the result; each is 1 or
    equal to the result's. A `?` in the result is the batch size.

    ```mlir
    %cls = clip.broadcast %class_embedding : tensor<1x768xf32> -> tensor<?x1x768xf32>
    ```
  }];
  let arguments = (ins Clip_Tensor:$input);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Clip_ConcatOp : Clip_Op<"concat", [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "join tensors along one axis";
  let description = [{
    ```mlir
    %x = clip.concat %cls, %patches axis 1 : (tensor<2x1x768xf32>, tensor<2x196x768xf32>) -> tensor<2x197x768xf32>
    ```
  }];
  let arguments = (ins Variadic<Clip_Tensor>:$inputs,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` functional-type($inputs, $result)
  }];
  let hasFolder = 1;
}

def Clip_SliceOp : Clip_Op<"slice", [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "a strided range along one axis";
  let description = [{
    Keeps indices `start, start + step, ...` below `end` along `axis`; other
    dims are kept whole. `0 <= start <= end <= dim`, `step >= 1`.

    ```mlir
    %cls = clip.slice %x axis 1 from 0 to 1 : tensor<2x197x768xf32> -> tensor<2x1x768xf32>
    ```
  }];
  let arguments = (ins Clip_Tensor:$input,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$start,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$end,
                   ConfinedAttr<DefaultValuedAttr<I64Attr, "1">,
                                [IntPositive]>:$step);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis `from` $start `to` $end (`step` $step^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Clip_GatherOp : Clip_Op<"gather", [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "pick slices of `input` along `axis` by integer indices";
  let description = [{
    Like `tf.gather(input, indices, axis, batch_dims)`: the first `batch_dims`
    dims of `input` and `indices` are shared batch dims, and
    `result.shape = input.shape[:axis] + indices.shape[batch_dims:] +
    input.shape[axis+1:]`. Indices must be in range (checked at run time).

    Embedding lookup (`batch_dims` 0) and EOS pooling (one row per batch
    element, `batch_dims` 1):

    ```mlir
    %emb = clip.gather %table[%text] axis 0 : (tensor<49408x512xf32>, tensor<2x77xi64>) -> tensor<2x77x512xf32>
    %eos = clip.gather %x[%eos_idx] axis 1 batch_dims 1 : (tensor<2x77x512xf32>, tensor<2xi64>) -> tensor<2x512xf32>
    ```
  }];
  let arguments = (ins Clip_Tensor:$input, Clip_IntTensor:$indices,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                   ConfinedAttr<DefaultValuedAttr<I64Attr, "0">,
                                [IntNonNegative]>:$batch_dims);
  let results = (outs Clip_Tensor:$result);
  let assemblyFormat = [{
    $input `[` $indices `]` `axis` $axis (`batch_dims` $batch_dims^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Convolution, pooling and batch normalization (NCHW).
//===----------------------------------------------------------------------===//

def Clip_Conv2DOp : Clip_Op<"conv2d",
    [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "2-D convolution, NCHW input, OIHW weight";
  let description = [{
    `input: [N, C, H, W]`, `weight: [O, C / groups, kH, kW]`, optional
    `bias: [O]`; `stride`, `padding` (zeros, both sides) and `dilation` are
    `[h, w]`. Output size per spatial dim:
    `(in + 2 * pad - dilation * (k - 1) - 1) / stride + 1`, as in PyTorch.

    ```mlir
    %p = clip.conv2d %img, %w stride [16, 16] padding [0, 0] : (tensor<2x3x224x224xf32>, tensor<768x3x16x16xf32>) -> tensor<2x768x14x14xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input, Clip_FloatTensor:$weight,
                   Optional<Clip_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding,
                   OptionalAttr<DenseI64ArrayAttr>:$dilation,
                   ConfinedAttr<DefaultValuedAttr<I64Attr, "1">,
                                [IntPositive]>:$groups);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? `stride` $stride `padding` $padding
    (`dilation` $dilation^)? (`groups` $groups^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// The dilation, [1, 1] when not given.
    ::llvm::SmallVector<int64_t, 2> getDilationOrDefault();
  }];
}

def Clip_AvgPool2DOp : Clip_Op<"avg_pool2d",
    [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "2-D average pooling, NCHW";
  let description = [{
    Windows of `kernel` moved by `stride` over the input padded with zeros by
    `padding`; the padded zeros count in the average (PyTorch's default
    `count_include_pad=True`).

    ```mlir
    %y = clip.avg_pool2d %x kernel [2, 2] stride [2, 2] padding [0, 0] : tensor<2x64x56x56xf32> -> tensor<2x64x28x28xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                   DenseI64ArrayAttr:$stride, DenseI64ArrayAttr:$padding);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $input `kernel` $kernel `stride` $stride `padding` $padding attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Clip_BatchNormOp : Clip_Op<"batch_norm",
    [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "batch normalization with running statistics (inference)";
  let description = [{
    Over channel dim 1 of `input` (`[N, C, ...]`):
    `(x - running_mean) / sqrt(running_var + epsilon) * scale + bias`; the
    four per-channel operands have shape `[C]`.

    ```mlir
    %y = clip.batch_norm %x, %g, %b, %m, %v epsilon 1.0e-05 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x64x56x56xf32>
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input, Clip_FloatTensor:$scale,
                   Clip_FloatTensor:$bias, Clip_FloatTensor:$running_mean,
                   Clip_FloatTensor:$running_var,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$epsilon);
  let results = (outs Clip_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $running_mean `,` $running_var
    `epsilon` $epsilon attr-dict `:` functional-type(operands, results)
  }];
}

def Clip_BatchNormTrainOp : Clip_Op<"batch_norm_train",
    [Pure, Clip_InferredShape, Clip_Differentiable]> {
  let summary = "batch normalization with batch statistics (training)";
  let description = [{
    Normalizes with the biased mean and variance of the batch over all dims
    but 1, and returns the updated running statistics:
    `running * (1 - momentum) + batch * momentum`, with the unbiased batch
    variance, as PyTorch's `BatchNorm2d` in training mode.

    ```mlir
    %y, %m1, %v1 = clip.batch_norm_train %x, %g, %b, %m, %v epsilon 1.0e-05 momentum 1.0e-01 : (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<2x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Clip_FloatTensor:$input, Clip_FloatTensor:$scale,
                   Clip_FloatTensor:$bias, Clip_FloatTensor:$running_mean,
                   Clip_FloatTensor:$running_var,
                   ConfinedAttr<F64Attr, [Clip_PositiveF64]>:$epsilon,
                   ConfinedAttr<F64Attr, [Clip_UnitIntervalF64]>:$momentum);
  let results = (outs Clip_FloatTensor:$result,
                      Clip_FloatTensor:$new_running_mean,
                      Clip_FloatTensor:$new_running_var);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $running_mean `,` $running_var
    `epsilon` $epsilon `momentum` $momentum attr-dict `:`
    functional-type(operands, results)
  }];
}

include "clip/IR/ClipFusedOps.td"
include "clip/IR/ClipGradientOps.td"

#endif // CLIP_OPS_TD
