#!/usr/bin/env python3
"""Static performance checks of the ViT-B/16 bf16 training step's CUDA
kernels, with no GPU: the sm_90 cubin clipc compiled with NVRTC (stored in
clip.so), read with the toolkit's cuobjdump.

Prints one row per kernel: registers per thread, local memory (spills and
stack), static shared memory, tensor-core instructions (HMMA) and the
device-library function the kernel calls. Fails when a kernel uses local
memory (a spill: every kernel of the step is hot), or when a tensor-core
kernel (the attention and contrastive-loss tiles) has no HMMA. The GEMMs are
cuBLASLt's, not in the cubin.

cuobjdump: CLIPC_CUOBJDUMP, PATH, /usr/local/cuda/bin, or the copy PyPI's
triton (a dependency of torch) ships; exits 77 (skipped) when there is none.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP = 77
# Library functions that must run on tensor cores.
TENSOR_CORE = re.compile(r"^(flashAttention\w+|contrastiveLossTile(Lse|Grad))")


def find_cuobjdump():
    for candidate in [os.environ.get("CLIPC_CUOBJDUMP"), shutil.which("cuobjdump"),
                      "/usr/local/cuda/bin/cuobjdump"]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    try:
        import triton  # noqa: F401 (only for its bundled toolkit binaries)
        path = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia",
                            "bin", "cuobjdump")
        if os.access(path, os.X_OK):
            return path
    except ImportError:
        pass
    return None


def section_offsets(library):
    """(address, file offset, size) of every section of an ELF file."""
    out = subprocess.run(["readelf", "-SW", library], capture_output=True, text=True,
                         check=True).stdout
    sections = []
    for m in re.finditer(r"\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", out):
        sections.append(tuple(int(x, 16) for x in m.groups()))
    return sections


def embedded_cubins(library):
    """{symbol: bytes} of the `*_cubin` arrays clipc stored in clip.so."""
    out = subprocess.run(["nm", "-S", "--defined-only", library], capture_output=True,
                         text=True, check=True).stdout
    data = open(library, "rb").read()
    cubins = {}
    for m in re.finditer(r"^([0-9a-f]+) ([0-9a-f]+) \w (\w+_cubin)$", out, re.M):
        address, size, name = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
        for base, offset, length in section_offsets(library):
            if base and base <= address < base + length:
                cubins[name] = data[offset + address - base:offset + address - base + size]
    return cubins


def library_calls(source):
    """{kernel: the first clip::cuda function its body calls}."""
    calls = {}
    for m in re.finditer(r'extern "C" __global__ void (\w+)\([^)]*\) \{(.*?)\n\}', source, re.S):
        call = re.search(r"clip::cuda::(\w+)", m.group(2))
        calls[m.group(1)] = call.group(1) if call else "(inline loop)"
    return calls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--model", default="models/clip/vitb16.mlir")
    parser.add_argument("--batch", default="256")
    args = parser.parse_args()
    cuobjdump = find_cuobjdump()
    if not cuobjdump:
        print("SKIP: no cuobjdump (CUDA toolkit or PyPI triton)")
        return SKIP
    clipc = os.path.join(args.build, "bin", "clipc")
    common = [clipc, os.path.join(ROOT, args.model), "--target", "cuda", "--precision",
              "bf16", "--batch", args.batch, "--cuda-arch", "sm_90"]
    with tempfile.TemporaryDirectory() as work:
        library = os.path.join(work, "clip.so")
        subprocess.run(common + ["-o", library], check=True, capture_output=True)
        source = subprocess.run(common + ["--emit", "cuda"], check=True,
                                capture_output=True, text=True).stdout
        cubins = embedded_cubins(library)
        step = [name for name in cubins if "train_step" in name]
        if len(step) != 1:
            print(f"FAIL: expected one train-step cubin in clip.so, found {sorted(cubins)}")
            return 1
        cubin = os.path.join(work, "step.cubin")
        with open(cubin, "wb") as f:
            f.write(cubins[step[0]])
        usage = subprocess.run([cuobjdump, "-res-usage", cubin], capture_output=True,
                               text=True, check=True).stdout
        sass = subprocess.run([cuobjdump, "-sass", cubin], capture_output=True,
                              text=True, check=True).stdout
    calls = library_calls(source)
    rows = {}
    for m in re.finditer(r"Function (\w+):\s*\n\s*REG:(\d+) STACK:(\d+) SHARED:(\d+) "
                         r"LOCAL:(\d+)", usage):
        rows[m.group(1)] = dict(reg=int(m.group(2)), stack=int(m.group(3)),
                                shared=int(m.group(4)), local=int(m.group(5)), hmma=0)
    for m in re.finditer(r"Function : (\w+)\n(.*?)(?=\n\s*Function : |\Z)", sass, re.S):
        if m.group(1) in rows:
            rows[m.group(1)]["hmma"] = len(re.findall(r"\bHMMA\.", m.group(2)))
    missing = sorted(set(calls) - set(rows))
    if missing or not rows:
        print(f"FAIL: kernels of the source without resource usage: {missing[:10]}")
        return 1
    failures = []
    print(f"{'kernel':<44} {'function':<34} {'regs':>4} {'local':>5} {'shared':>6} {'HMMA':>5}")
    for name in sorted(rows, key=lambda k: (calls.get(k, ""), k)):
        r, function = rows[name], calls.get(name, "?")
        print(f"{name[:44]:<44} {function[:34]:<34} {r['reg']:>4} "
              f"{r['local'] + r['stack']:>5} {r['shared']:>6} {r['hmma']:>5}")
        if r["local"] or r["stack"]:
            failures.append(f"{name} ({function}): {r['local']} bytes of local memory, "
                            f"{r['stack']} of stack (spills)")
        if TENSOR_CORE.match(function) and r["hmma"] == 0:
            failures.append(f"{name} ({function}): no HMMA (tensor cores unused)")
    tensor = sum(1 for n in rows if TENSOR_CORE.match(calls.get(n, "")))
    print(f"{len(rows)} kernels, {tensor} on tensor cores, "
          f"max {max(r['reg'] for r in rows.values())} registers")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
