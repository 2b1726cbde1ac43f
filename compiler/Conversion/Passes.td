//===- Passes.td - Conversions between the compiler's dialects ------------===//
#ifndef CLIP_COMPILER_CONVERSION_PASSES_TD
#define CLIP_COMPILER_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertClipToKernel : Pass<"convert-clip-to-kernel", "::mlir::func::FuncOp"> {
  let summary = "Turn a static clip graph into a kernel schedule over buffers";
  let description = [{
    Every tensor becomes a buffer: parameters, inputs (and function
    arguments, named `arg<i>`) and constants become `kernel.param`,
    `kernel.input` and `kernel.constant`; reshapes and slices of a contiguous
    run (leading dims all 1, step 1) become `kernel.view`s; every other op
    becomes one `kernel.launch` writing fresh `kernel.alloc` buffers, with the
    op moved into the launch's body. Results become `kernel.output`s named as
    clip-ref names them (`grad/<param>`, `update/<param>`, `result<i>`), and
    the function takes and returns nothing. Shapes must be static (run
    clip-prepare first); a dynamic shape is reported at its op.
  }];
  let dependentDialects = ["::mlir::kernel::KernelDialect",
                           "::mlir::clip::ClipDialect"];
}

#endif // CLIP_COMPILER_CONVERSION_PASSES_TD
