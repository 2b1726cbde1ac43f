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

def MixedPrecision : Pass<"kernel-mixed-precision", "::mlir::func::FuncOp"> {
  let summary = "Store activations in bf16; every kernel still computes in f32";
  let description = [{
    Precision is a storage decision: every kernel reads its operands into
    f32, accumulates in f32 and rounds once when it stores. With
    `precision=bf16`, an arena buffer becomes bf16 when nothing about it
    needs f32: it is not a step output, and no launch writes into it a
    result that `clip::keepsFullPrecision` keeps in f32 (statistics,
    log-sum-exps, reductions, the contrastive loss, batch-summed gradients,
    scalars). Parameters, inputs, outputs and the optimizer stay f32. The
    launch bodies are unchanged (f32 tensors): a launch bound to a bf16
    buffer widens on load and rounds to nearest even on store, so the casts
    live inside the kernels that produce and consume the values, never as
    kernels of their own. Views follow their buffer. Runs before
    `kernel-reuse-in-place` and `kernel-plan-memory`, which then count bf16
    at 2 bytes. `precision=fp32` changes nothing.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
           "storage of activations: fp32 or bf16">
  ];
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
