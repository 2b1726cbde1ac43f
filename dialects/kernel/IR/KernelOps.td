//===- KernelOps.td - The kernel dialect: buffers and a schedule ----------===//
//
// The level between the fused `clip` graph and code generation. A function
// here is a straight-line schedule: named parameter, input and constant
// buffers, arena buffers (`kernel.alloc`, given an offset by the memory
// planner), zero-copy views, and `kernel.launch` ops that each run one fused
// group. A launch's body is the `clip` op it runs, on tensors bound to its
// buffers, so the kernel's meaning stays the op's verified meaning and both
// code generators (CPU, CUDA) dispatch on that op.
//
//===----------------------------------------------------------------------===//

#ifndef KERNEL_OPS_TD
#define KERNEL_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Kernel_Dialect : Dialect {
  let name = "kernel";
  let cppNamespace = "::mlir::kernel";
  let summary = "Kernel schedules over explicit buffers";
  let description = [{
    Buffers are builtin `memref`s with static shapes and the identity layout.
    Ops run in program order; the memory planner gives every `kernel.alloc`
    an offset into one arena, from the buffers' lifetimes in that order.
  }];
}

class Kernel_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kernel_Dialect, mnemonic, traits>;

def Kernel_Buffer : MemRefRankOf<[AnyType], [0, 1, 2, 3, 4, 5, 6, 7, 8]>;

def Kernel_ParamOp : Kernel_Op<"param", [Pure]> {
  let summary = "a model parameter's buffer, bound by the runtime";
  let description = [{
    `%w = kernel.param "visual.proj" : memref<768x512xf32>`. Read-only during
    a step; the optimizer updates it between steps.
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Kernel_Buffer:$buffer);
  let assemblyFormat = "$name attr-dict `:` type($buffer)";
}

def Kernel_InputOp : Kernel_Op<"input", [Pure]> {
  let summary = "a step input's buffer (images, tokens), bound by the runtime";
  let arguments = (ins StrAttr:$name);
  let results = (outs Kernel_Buffer:$buffer);
  let assemblyFormat = "$name attr-dict `:` type($buffer)";
}

def Kernel_ConstantOp : Kernel_Op<"constant", [Pure]> {
  let summary = "constant data carried by the compiled library";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kernel_Buffer:$buffer);
  let assemblyFormat = "$value attr-dict `:` type($buffer)";
  let hasVerifier = 1;
}

def Kernel_AllocOp : Kernel_Op<"alloc"> {
  let summary = "a buffer in the step's arena";
  let description = [{
    Before planning it has no place; `kernel-plan-memory` sets `offset`
    (bytes from the arena's start, aligned):
    `%b = kernel.alloc offset 4096 : memref<4x65x128xf32>`.
  }];
  let arguments = (ins OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$offset);
  let results = (outs Kernel_Buffer:$buffer);
  let assemblyFormat = "(`offset` $offset^)? attr-dict `:` type($buffer)";
}

def Kernel_ViewOp : Kernel_Op<"view", [Pure]> {
  let summary = "another shape over a contiguous part of a buffer, no copy";
  let description = [{
    Row-major reinterpretation starting `offset` elements into `source`: a
    reshape (offset 0) or a slice whose leading dims are all 1.
    `%v = kernel.view %b [128] : memref<3x128xf32> -> memref<2x64xf32>`.
  }];
  let arguments = (ins Kernel_Buffer:$source,
                   DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "0">:$offset);
  let results = (outs Kernel_Buffer:$result);
  let assemblyFormat = [{
    $source `[` $offset `]` attr-dict `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kernel_LaunchOp : Kernel_Op<"launch",
    [IsolatedFromAbove, SingleBlockImplicitTerminator<"YieldOp">,
     AttrSizedOperandSegments]> {
  let summary = "run one fused group: its body's clip op, on buffers";
  let description = [{
    The block's arguments are the `ins` buffers seen as tensors; the yielded
    tensors are written to the `outs` buffers. The body holds one `clip` op
    (a GEMM with its epilogue, an attention, a layer norm, an elementwise
    region, a copy...), which names the kernel's kind.

    ```mlir
    kernel.launch @gemm_3 ins(%x, %w : memref<8x128xf32>, memref<64x128xf32>)
                          outs(%y : memref<8x64xf32>) {
    ^bb0(%a: tensor<8x128xf32>, %b: tensor<64x128xf32>):
      %gemm = clip.gemm %a, %b transpose_rhs : (...) -> tensor<8x64xf32>
      kernel.yield %gemm : tensor<8x64xf32>
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Variadic<Kernel_Buffer>:$ins,
                   Variadic<Kernel_Buffer>:$outs);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name (`ins` `(` $ins^ `:` type($ins) `)`)? `outs` `(` $outs `:`
    type($outs) `)` $body attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The clip op the launch runs (the body's only non-terminator op).
    ::mlir::Operation *getKernelOp();
    /// Its kind: the op's name without the dialect, e.g. "gemm".
    ::llvm::StringRef getKind();
  }];
}

def Kernel_YieldOp : Kernel_Op<"yield",
    [Pure, Terminator, ReturnLike, HasParent<"LaunchOp">]> {
  let summary = "the tensors a launch writes to its outs buffers";
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* empty */ }]>];
}

def Kernel_OutputOp : Kernel_Op<"output"> {
  let summary = "names a buffer as one of the step's results";
  let description = [{
    `kernel.output "grad/visual.proj" %b : memref<768x512xf32>`: the runtime
    reads it after the step (loss, gradients, updated statistics).
  }];
  let arguments = (ins StrAttr:$name, Kernel_Buffer:$buffer);
  let assemblyFormat = "$name $buffer attr-dict `:` type($buffer)";
}

#endif // KERNEL_OPS_TD
