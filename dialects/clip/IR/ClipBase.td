//===- ClipBase.td - The clip dialect, its enums and type constraints -----===//
//
// The `clip` dialect declares CLIP models as graphs of tensor operations with
// value semantics on builtin ranked tensors. Batch dimensions may be dynamic
// (`?`) in a declaration; `clip-specialize-batch` turns them into a number.
//
//===----------------------------------------------------------------------===//

#ifndef CLIP_BASE_TD
#define CLIP_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/CommonAttrConstraints.td"

def Clip_Dialect : Dialect {
  let name = "clip";
  let cppNamespace = "::mlir::clip";
  let summary = "Graph-level operations for declaring and compiling CLIP models";
  let description = [{
    Operations on builtin ranked tensors with value semantics: named
    parameters and inputs, elementwise math with NumPy broadcasting, matmul,
    reductions, softmax, shape manipulation, gather, convolution, pooling and
    batch normalization. Every operation whose result type follows from its
    operands and attributes implements `InferTypeOpInterface`; the printed
    result type is checked against the inferred one.

    A `?` dimension in a declared type always stands for the batch size.
  }];
  let hasConstantMaterializer = 1;
  let hasCanonicalizer = 1;
  let useDefaultAttributePrinterParser = 0;
}

class Clip_Op<string mnemonic, list<Trait> traits = []>
    : Op<Clip_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Element types and tensor constraints.
//===----------------------------------------------------------------------===//

def Clip_FloatElement : AnyTypeOf<[F16, BF16, F32, F64], "floating-point">;
def Clip_IntElement : AnyTypeOf<[I32, I64], "32/64-bit integer">;
def Clip_NumericElement : AnyTypeOf<[F16, BF16, F32, F64, I32, I64],
                                    "numeric">;
def Clip_AnyElement : AnyTypeOf<[F16, BF16, F32, F64, I32, I64, I1],
                                "clip element">;

def Clip_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Clip_IntTensor : RankedTensorOf<[I32, I64]>;
def Clip_NumericTensor : RankedTensorOf<[F16, BF16, F32, F64, I32, I64]>;
def Clip_BoolTensor : RankedTensorOf<[I1]>;
def Clip_Tensor : RankedTensorOf<[F16, BF16, F32, F64, I32, I64, I1]>;

def Clip_PositiveF64 : AttrConstraint<
    CPred<"::llvm::cast<::mlir::FloatAttr>($_self).getValueAsDouble() > 0.0">,
    "whose value is positive">;
def Clip_UnitIntervalF64 : AttrConstraint<
    CPred<"::llvm::cast<::mlir::FloatAttr>($_self).getValueAsDouble() >= 0.0 && "
          "::llvm::cast<::mlir::FloatAttr>($_self).getValueAsDouble() <= 1.0">,
    "whose value is in [0, 1]">;

//===----------------------------------------------------------------------===//
// Enums.
//===----------------------------------------------------------------------===//

def Clip_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "how GELU is computed", [
      I32EnumAttrCase<"none", 0>,   // x * Phi(x), with erf: nn.GELU()
      I32EnumAttrCase<"tanh", 1>,   // nn.GELU(approximate="tanh")
      I32EnumAttrCase<"quick", 2>   // x * sigmoid(1.702 x): OpenAI's QuickGELU
    ]> {
  let cppNamespace = "::mlir::clip";
}

def Clip_Activation : I32EnumAttr<"Activation",
    "activation applied in a GEMM epilogue", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"gelu", 1>,        // clip.gelu (erf)
      I32EnumAttrCase<"gelu_tanh", 2>,   // clip.gelu approximate tanh
      I32EnumAttrCase<"quick_gelu", 3>   // clip.gelu approximate quick
    ]> {
  let cppNamespace = "::mlir::clip";
}

def Clip_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "elementwise comparison", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>
    ]> {
  let cppNamespace = "::mlir::clip";
}

#endif // CLIP_BASE_TD
