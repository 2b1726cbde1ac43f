#!/usr/bin/env python3
"""The CUDA target's steps, run on the emulated driver, against the CPU target.

clipc compiles the tiny ViT (batch 4) for both targets into one clip.so, once
with `--precision fp32` and once with `bf16`. `clip-run step` runs
@train_step on the CPU with seeded random parameters and data (the same for
both precisions), saving them and every output; then `clip-run step --device
cuda` runs the same function on the same parameters and data through the
real CudaExecutor on libclip-emulated-cuda.so (runtime/gpu/emulator: the
driver and cuBLASLt on the host; the unit's kernels compiled as host C++
under runtime/cuda/HostEmulation.h). So the generated kernels, their launch
geometry, the step table, the executor's mapping of each GEMM onto cuBLASLt,
the bf16 staging past the arena and the gather error slots are checked end
to end on the CPU. Checks:
  fp32: every output within 1e-4 relative L2 of the CPU's (f32 on both
        sides, other summation orders).
  bf16: every output finite, and the emulated bf16 outputs as close to the
        CPU's fp32 ones as the CPU's bf16 outputs are (at most RATIO times
        their median and worst relative error). Two bf16 runs that sum in
        other orders round some values to neighbouring bf16 numbers, and the
        difference travels through the backward, so the two bf16 answers
        differ from each other about as much as each differs from fp32; a
        wrong kernel, offset or staging is off by far more.
The same again with `--loss siglip` (the sigmoid loss's device phases and,
under bf16, their scratch past the staged copies) and with `--dropout 0.1`
(fp32 only: the device kernels' clip.dropout masks; a mask bit that
differed would move its gradients by far more than the bound).
The update on the device is checked by cuda_emulated_train.py (and the AdamW
kernel against the host's, bit for bit, by test/unit/cuda/OptimizerTest).
"""
import argparse
import os
import subprocess
import sys
import tempfile

from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_outputs import errors, summary  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
F32_BOUND = 1e-4
RATIO = 2.0
FUNCTION = "train_step"
# Threads per emulated block (the steps' grids as they are): the device
# library is correct for any block size (its contract; runtime/cuda's tests
# run each function at several), and the emulator's barriers among 256
# threads take minutes of futex calls for a whole step on 2 cores.
BLOCK = 1


def run(cmd, env=None):
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


VARIANTS = {
    # label: clipc flags
    "clip": ["--loss", "clip"],
    "siglip": ["--loss", "siglip"],
    # The generated device kernels draw clip.dropout's masks as the CPU's do.
    "clip-dropout": ["--loss", "clip", "--dropout", "0.1"],
}
# The masks are the point of the dropout variant: fp32 shows a differing
# bit at once (bf16 adds 5 minutes of emulation and nothing about masks).
FP32_ONLY = {"clip-dropout"}


def outputs(build, work, precision, loss):
    bin_dir = os.path.join(build, "bin")
    lib = os.path.join(work, f"tiny-{precision}-{loss}.so")
    run([os.path.join(bin_dir, "clipc"), os.path.join(ROOT, "models/clip/vit_tiny.mlir"),
         "--batch", "4", "--target", "all", "--precision", precision, *VARIANTS[loss],
         "-o", lib])
    params, inputs, cpu, emulated = (os.path.join(work, f"{precision}-{loss}-{k}.safetensors")
                                     for k in ("params", "inputs", "cpu", "emulated"))
    run([os.path.join(bin_dir, "clip-run"), "step", lib, "--function", FUNCTION,
         "--seed", "11", "--save-params", params, "--save-inputs", inputs, "--out", cpu])
    emulated_lib = os.path.join(build, "lib", "libclip-emulated-cuda.so")
    env = dict(os.environ, CLIPC_CUDA_DRIVER=emulated_lib, CLIPC_CUBLASLT=emulated_lib,
               CLIPC_CACHE_DIR=os.path.join(work, "cache"), CLIPC_EMULATE_BLOCK=str(BLOCK))
    output = run([os.path.join(bin_dir, "clip-run"), "step", lib, "--function", FUNCTION,
                  "--device", "cuda", "--params", params, "--inputs", inputs,
                  "--out", emulated], env=env).strip()
    if "clipc host emulator" not in output:
        sys.exit(f"{precision}: not run on the emulated driver:\n{output}")
    print(f"{precision}, {loss} loss: {output.splitlines()[0]}")
    return load_file(cpu), load_file(emulated)


def compare_fp32(cpu32, emu32, loss):
    e32 = errors(emu32, cpu32)
    med, worst, key = summary(e32)
    print(f"{loss} fp32: emulated vs CPU over {len(e32)} outputs: median {med:.2e}, worst "
          f"{worst:.2e} ({key}); bound {F32_BOUND}")
    return [f"{loss} fp32 {k}: {v:.3e}" for k, v in e32.items() if not v <= F32_BOUND]


def compare(cpu32, emu32, cpu16, emu16, loss):
    failures = compare_fp32(cpu32, emu32, loss)

    cpu_err, emu_err, mutual = errors(cpu16, cpu32), errors(emu16, cpu32), errors(emu16, cpu16)
    (c_med, c_worst, c_key), (e_med, e_worst, e_key) = summary(cpu_err), summary(emu_err)
    m_med, m_worst, m_key = summary(mutual)
    print(f"{loss} bf16 vs the CPU's fp32: CPU median {c_med:.2e} worst {c_worst:.2e} "
          f"({c_key}); emulated median {e_med:.2e} worst {e_worst:.2e} ({e_key}); emulated "
          f"vs CPU bf16: median {m_med:.2e} worst {m_worst:.2e} ({m_key})")
    failures += [f"{loss} bf16 {k}: not finite" for k, v in emu_err.items()
                 if v == float("inf")]
    if not e_med <= RATIO * c_med:
        failures.append(f"{loss} bf16 median {e_med:.2e} > {RATIO} x the CPU's {c_med:.2e}")
    if not e_worst <= RATIO * c_worst:
        failures.append(f"{loss} bf16 worst {e_worst:.2e} ({e_key}) > {RATIO} x the CPU's "
                        f"{c_worst:.2e}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--work", help="keep the files in this directory")
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as temp:
        work = args.work or temp
        os.makedirs(work, exist_ok=True)
        for loss in VARIANTS:
            if loss in FP32_ONLY:
                failures += compare_fp32(*outputs(args.build, work, "fp32", loss), loss)
                continue
            failures += compare(*outputs(args.build, work, "fp32", loss),
                                *outputs(args.build, work, "bf16", loss), loss)
    for f in failures:
        print(f"FAIL {f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
