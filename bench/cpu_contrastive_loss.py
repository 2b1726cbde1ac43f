#!/usr/bin/env python3
"""The contrastive loss forward + backward on given embeddings [B, 512] on
the CPU: clipc's tiled kernel (clip-bench-contrastive-loss) against PyTorch
eager (OpenCLIP's ClipLoss: normalize, B x B logits, two cross-entropies), in
one run, each size in its own process so that peak memory is its own.

Prints per batch: ms for each, the ratio, and the peak memory beyond the
embeddings. PyTorch holds several B x B f32 matrices (16 GiB each at
65,536), so it is skipped where that would not fit in this machine's memory.
Usage: bench/cpu_contrastive_loss.py [--sizes 4096,16384,65536] [--build build]
"""
import argparse
import json
import os
import resource
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIM = 512

TORCH_CHILD = r"""
import json, resource, sys, time, torch, torch.nn.functional as F
B, D = int(sys.argv[1]), int(sys.argv[2])
g = torch.Generator().manual_seed(1)
i = torch.randn(B, D, generator=g, requires_grad=True)
t = (i.detach() + torch.randn(B, D, generator=g)).requires_grad_()
s = torch.tensor(2.659, requires_grad=True)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def loss():
    a, b = F.normalize(i, dim=-1), F.normalize(t, dim=-1)
    logits = s.exp() * a @ b.t()
    labels = torch.arange(B)
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
start = time.perf_counter(); l = loss(); fwd = time.perf_counter() - start
start = time.perf_counter(); torch.autograd.grad(l, (i, t, s)); bwd = time.perf_counter() - start
extra = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps(dict(loss=l.item(), forward_ms=fwd * 1e3, backward_ms=bwd * 1e3, extra_peak_mib=extra)))
"""


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="4096,16384,65536")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    ours_bin = os.path.join(args.build, "bin", "clip-bench-contrastive-loss")
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    print(f"{'batch':>7} {'clipc ms':>10} {'torch ms':>10} {'ratio':>6} "
          f"{'clipc MiB':>10} {'torch MiB':>10}")
    for b in [int(x) for x in args.sizes.split(",")]:
        ours = run([ours_bin, str(b), str(DIM)])
        # Logits, their transpose's softmax, and the gradient: ~4 B x B f32.
        torch_fits = 4 * 4 * b * b < 0.8 * mem
        theirs = run([sys.executable, "-c", TORCH_CHILD, str(b), str(DIM)]) \
            if torch_fits else None
        ours_ms = ours["forward_ms"] + ours["backward_ms"]
        if theirs:
            theirs_ms = theirs["forward_ms"] + theirs["backward_ms"]
            print(f"{b:>7} {ours_ms:>10.1f} {theirs_ms:>10.1f} "
                  f"{theirs_ms / ours_ms:>6.2f} {ours['extra_peak_mib']:>10.0f} "
                  f"{theirs['extra_peak_mib']:>10.0f}")
        else:
            print(f"{b:>7} {ours_ms:>10.1f} {'(no fit)':>10} {'':>6} "
                  f"{ours['extra_peak_mib']:>10.0f}")


if __name__ == "__main__":
    main()
