//===- Passes.td - Transforms of the kernel dialect: reuse, memory plan ---===//
#ifndef KERNEL_TRANSFORMS_PASSES_TD
#define KERNEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

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

#endif // KERNEL_TRANSFORMS_PASSES_TD
