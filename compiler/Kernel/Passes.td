//===- Passes.td - From the clip graph to a planned kernel schedule -------===//
#ifndef CLIP_COMPILER_KERNEL_PASSES_TD
#define CLIP_COMPILER_KERNEL_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerToKernels : Pass<"clip-lower-to-kernels", "::mlir::func::FuncOp"> {
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

def ReuseInPlace : Pass<"kernel-reuse-in-place", "::mlir::func::FuncOp"> {
  let summary = "Let pointwise launches write over an input they read last";
  let description = [{
    A launch whose kernel is pointwise (an elementwise region or op) may
    write a result that has the loop's full size into an input buffer of the
    same type when this launch is the buffer's last reader (a smaller result
    or input is read by many loop elements and may not be overwritten): the result's
    `kernel.alloc` is replaced by the input's. Only arena buffers are reused
    (never parameters, inputs, constants or views), and never an input that
    is also a step output.
  }];
}

def PlanMemory : Pass<"kernel-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Give every arena buffer an offset from the buffers' lifetimes";
  let description = [{
    A buffer lives from the first op that uses it (or a view of it) to the
    last one, in program order; step outputs live to the end. Buffers are
    placed largest first, each into the smallest gap (best fit) left by the
    already-placed buffers whose lifetimes overlap its own, or above them,
    at offsets that are multiples of `alignment`. The function gets
    `kernel.arena_bytes` (the arena), `kernel.buffer_bytes` (all buffers,
    unshared) and `kernel.peak_live_bytes` (the most bytes live at once, a
    lower bound for any plan); `report` prints them.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"256",
           "offsets and sizes are multiples of this many bytes">,
    Option<"report", "report", "bool", /*default=*/"false",
           "print the arena, buffer and peak-live bytes per function">
  ];
}

#endif // CLIP_COMPILER_KERNEL_PASSES_TD
