#!/usr/bin/env python3
"""Compare the outputs (safetensors) of two runs of a compiled function.

  compare_outputs.py OURS REF --bound B       every output within B relative L2
  compare_outputs.py OURS REF --identical     every output equal, bit for bit
  compare_outputs.py OURS REF --against F32 --ratio R
        bf16: OURS and REF are two bf16 runs (e.g. GPU and CPU), F32 the
        fp32 run on the same data; OURS must be as close to F32 as REF is,
        at most R times REF's median and worst relative error (two bf16 runs
        that sum in other orders round some values to neighbouring bf16
        numbers and the difference travels on, so they differ from each
        other about as much as each differs from fp32).

A gradient that is zero by symmetry is measured against the largest
gradient norm. Non-finite values always fail. numpy and safetensors only
(used by test/e2e/cuda_emulated_step.py here and by scripts/gpu-check.sh on
the GPU machine).
"""
import argparse
import sys

import numpy as np
from safetensors.numpy import load_file

ZERO = 1e-6


def errors(ours, ref):
    """Relative L2 error of every output of `ours` against `ref` (inf for a
    non-finite output)."""
    if set(ours) != set(ref):
        raise SystemExit(f"outputs differ: {sorted(set(ours) ^ set(ref))}")
    grads = [np.linalg.norm(v) for k, v in ref.items() if k.startswith("grad/")]
    largest = max(grads) if grads else 0.0
    out = {}
    for key in sorted(ref):
        a, b = ours[key].astype(np.float64), ref[key].astype(np.float64)
        if not np.all(np.isfinite(a)):
            out[key] = float("inf")
            continue
        norm = np.linalg.norm(b)
        zero = key.startswith("grad/") and norm < ZERO * largest
        out[key] = float(np.linalg.norm(a - b) / (largest if zero else max(norm, 1e-30)))
    return out


def summary(errs):
    """Median, worst and the worst output's name."""
    worst = max(errs, key=errs.get)
    return float(np.median(list(errs.values()))), errs[worst], worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ours")
    parser.add_argument("ref")
    parser.add_argument("--bound", type=float)
    parser.add_argument("--identical", action="store_true")
    parser.add_argument("--against")
    parser.add_argument("--ratio", type=float, default=2.0)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    ours, ref = load_file(args.ours), load_file(args.ref)
    label = f"{args.label}: " if args.label else ""
    if args.identical:
        differ = [k for k in ref if not np.array_equal(ours[k].view(np.uint8),
                                                       ref[k].view(np.uint8))]
        print(f"{label}{len(ref)} outputs, {len(differ)} differ bit for bit"
              + (f" ({differ[:5]})" if differ else ""))
        return 1 if differ else 0
    if args.against:
        f32 = load_file(args.against)
        (o_med, o_worst, o_key), (r_med, r_worst, r_key) = (summary(errors(ours, f32)),
                                                            summary(errors(ref, f32)))
        m_med, m_worst, _ = summary(errors(ours, ref))
        ok = o_med <= args.ratio * r_med and o_worst <= args.ratio * r_worst
        print(f"{label}vs fp32: ours median {o_med:.2e} worst {o_worst:.2e} ({o_key}); "
              f"reference median {r_med:.2e} worst {r_worst:.2e} ({r_key}); each other "
              f"median {m_med:.2e} worst {m_worst:.2e}; bound {args.ratio} x the "
              f"reference's: {'ok' if ok else 'FAIL'}")
        return 0 if ok else 1
    errs = errors(ours, ref)
    med, worst, key = summary(errs)
    ok = worst <= args.bound
    print(f"{label}{len(errs)} outputs: median {med:.2e}, worst {worst:.2e} ({key}); "
          f"bound {args.bound}: {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
