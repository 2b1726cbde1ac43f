#!/usr/bin/env python3
"""clip-run train, embed and eval with --device cuda on the emulated driver.

The real CudaExecutor and CudaTrainer run against libclip-emulated-cuda.so
(runtime/gpu/emulator: the CUDA driver and cuBLASLt on the host, streams that
run only when waited for, CUDA graphs captured and replayed), so the
device-resident loop is checked without a GPU: parameters, gradients and AdamW
moments on the device, the update by the unit's kernels as a graph, the batch
through pinned memory on a copy stream. The tiny ViT (batch 4), 3 steps of 2
micro-batches with clipping at norm 1 (it acts: the norm is about 15):

1. CPU and emulated GPU: every step's loss and gradient norm within 1e-5
   relative (f32 on both sides, other summation orders); both AdamW moments of
   every tensor within 1e-4 relative L2; every parameter within 1e-4 relative
   L2, except the key third of each attention's in_proj_bias, whose gradient
   is zero by symmetry (softmax ignores a shift shared by all keys), so its
   AdamW steps are the sign of rounding noise: those elements differ by at
   most 2 lr a step.
2. The step and update as CUDA graphs and launched one by one
   (CLIPC_CUDA_GRAPH=0): identical checkpoints.
3. A GPU run killed after its step-2 checkpoint and resumed equals the
   uninterrupted one bit for bit (parameters and moments).
4. lr 1e9 with --check-numerics: both stop at the same step, naming the
   same first kernel that wrote a NaN or Inf and its op's line.
5. embed (texts) and eval (a CSV of 8 Fashion-MNIST pairs) with --device cuda
   on the trained weights equal the CPU's (embeddings within 1e-5, the same
   recalls).
"""
import argparse
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import run, steps_logged  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STEPS, ACCUM, LR = 3, 2, 5e-4


def rel(a, b):
    a, b = a.astype(np.float64), b.astype(np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-30)


def compare_training(cpu, gpu, cpu_log, gpu_log):
    failures = []
    for a, b in zip(cpu_log, gpu_log):
        for key in ("loss", "grad_norm", "logit_scale"):
            if abs(a[key] - b[key]) > 1e-5 * abs(a[key]):
                failures.append(f"step {a['step']} {key}: CPU {a[key]}, GPU {b[key]}")
    worst = {"moments": (0, ""), "parameters": (0, "")}
    for key in cpu:
        kind = "moments" if key.startswith("optimizer/") else "parameters"
        a, b = cpu[key], gpu[key]
        if key.endswith("attn.in_proj_bias") and kind == "parameters":
            third = a.shape[0] // 3
            keys = slice(third, 2 * third)
            if np.max(np.abs(a[keys] - b[keys])) > 2 * LR * STEPS:
                failures.append(f"{key}: the key bias moved by more than 2 lr a step")
            a = np.concatenate([a[:third], a[2 * third:]])
            b = np.concatenate([b[:third], b[2 * third:]])
        e = rel(a, b)
        worst[kind] = max(worst[kind], (e, key))
        if e > 1e-4:
            failures.append(f"{key}: relative L2 {e:.3g} > 1e-4")
    print(f"CPU vs emulated GPU after {STEPS} steps x {ACCUM}: losses and norms within 1e-5; "
          f"worst moment {worst['moments'][0]:.3g} ({worst['moments'][1]}), "
          f"worst parameter {worst['parameters'][0]:.3g} ({worst['parameters'][1]})")
    return failures


def identical(a, b, what):
    if sorted(a) != sorted(b):
        return [f"{what}: the checkpoints hold different tensors"]
    differ = [k for k in a if not np.array_equal(a[k], b[k])]
    if differ:
        return [f"{what}: {len(differ)} of {len(a)} tensors differ (first {differ[0]})"]
    print(f"{what}: {len(a)} tensors bit-identical")
    return []


def eval_csv(work):
    from PIL import Image
    data = "/usr/share/datasets/fashion-mnist"
    with gzip.open(f"{data}/t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read()[16:], np.uint8).reshape(-1, 28, 28)
    names = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
             "sneaker", "bag", "ankle boot"]
    csv, texts = os.path.join(work, "pairs.csv"), os.path.join(work, "texts.txt")
    with open(csv, "w") as c, open(texts, "w") as t:
        c.write("filepath\ttitle\n")
        for i in range(8):
            path = os.path.join(work, f"img{i}.png")
            Image.fromarray(images[i]).save(path)
            caption = f"a photo of a {names[i % 10]}, item {i}."
            c.write(f"{os.path.basename(path)}\t{caption}\n")
            t.write(caption + "\n")
    return csv, texts


def check_numerics(clip_run, common, gpu_env):
    """lr 1e9 with --check-numerics: the CPU and the emulated GPU stop at the
    same step, naming the same kernel (the clip.so's one schedule) with its
    op's place in the model file and the element."""
    pattern = (r"step (\d+): @train_step: kernel (\w+) \(clip\.\w+ at .*vit_tiny\.mlir:\d+:\d+\), "
               r"output \d+ holds (NaN|Inf|-Inf) at element \d+ of \d+")
    found = {}
    for device, env in (("cpu", None), ("cuda", gpu_env)):
        out = subprocess.run([clip_run] + common + ["--lr", "1e9", "--device", device,
                                                     "--check-numerics"],
                             capture_output=True, text=True, env=env)
        message = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
        print(f"lr 1e9 --check-numerics --device {device}: exit {out.returncode}: {message}")
        match = re.search(pattern, message)
        if out.returncode == 0 or not match:
            return [f"--check-numerics on {device} did not name the step, kernel and op"]
        found[device] = match.groups()[:2]
    if found["cpu"] != found["cuda"]:
        return [f"--check-numerics: the CPU stops at step/kernel {found['cpu']}, the GPU at "
                f"{found['cuda']}"]
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = parser.parse_args()
    clipc = os.path.join(args.build, "bin", "clipc")
    clip_run = os.path.join(args.build, "bin", "clip-run")
    emulated = os.path.join(args.build, "lib", "libclip-emulated-cuda.so")
    failures = []
    with tempfile.TemporaryDirectory() as work:
        gpu_env = dict(os.environ, CLIPC_CUDA_DRIVER=emulated, CLIPC_CUBLASLT=emulated,
                       CLIPC_CACHE_DIR=os.path.join(work, "cache"),
                       # One thread a block: the device library's contract
                       # holds for any block size, and 256 threads' barriers
                       # cost minutes on 2 cores.
                       CLIPC_EMULATE_BLOCK="1")
        lib = os.path.join(work, "tiny.so")
        run([clipc, os.path.join(ROOT, "models/clip/vit_tiny.mlir"), "--batch", "4",
             "--target", "all", "-o", lib])
        common = ["train", lib, "--no-eval", "--seed", "3", "--steps", str(STEPS),
                  "--accum", str(ACCUM), "--clip-grad", "1", "--lr", str(LR)]

        def train(name, device, env=None, extra=()):
            ckpt, log = os.path.join(work, f"{name}.st"), os.path.join(work, f"{name}.jsonl")
            out = run([clip_run] + common + ["--device", device, "--checkpoint", ckpt,
                                             "--metrics", log] + list(extra), env=env)
            return ckpt, [json.loads(l) for l in open(log) if '"train"' in l], out

        cpu, cpu_log, _ = train("cpu", "cpu")
        gpu, gpu_log, out = train("gpu", "cuda", gpu_env)
        if "clipc host emulator" not in out:
            raise SystemExit("FAIL: the GPU run did not run on the emulated driver:\n" + out)
        failures += compare_training(load_file(cpu), load_file(gpu), cpu_log, gpu_log)

        eager_env = dict(gpu_env, CLIPC_CUDA_GRAPH="0")
        eager, _, _ = train("eager", "cuda", eager_env)
        failures += identical(load_file(gpu), load_file(eager),
                              "CUDA graphs vs launches one by one")

        part, log = os.path.join(work, "part.st"), os.path.join(work, "part.jsonl")
        proc = subprocess.Popen([clip_run] + common + ["--device", "cuda", "--checkpoint", part,
                                                       "--save-every", "2", "--metrics", log],
                                env=gpu_env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.time() + 600
        # The checkpoint appears whole (written atomically) after step 2;
        # step 3 takes seconds on the emulator.
        while not os.path.exists(part) and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        saved_at = None
        if os.path.exists(part):
            with safe_open(part, "np") as f:
                saved_at = f.metadata().get("train/step")
        if saved_at != "2":
            raise SystemExit(f"FAIL: the killed run's checkpoint is at step {saved_at}, not 2")
        print(f"killed after its step-2 checkpoint ({steps_logged(log)} steps logged)")
        run([clip_run] + common + ["--device", "cuda", "--checkpoint", part, "--resume", part],
            env=gpu_env)
        failures += identical(load_file(gpu), load_file(part),
                              "GPU run killed after step 2 and resumed vs uninterrupted")

        failures += check_numerics(clip_run, common, gpu_env)

        csv, texts = eval_csv(work)
        embedded = {}
        for device, env in (("cpu", None), ("cuda", gpu_env)):
            out = os.path.join(work, f"text-{device}.st")
            run([clip_run, "embed", lib, "--params", cpu, "--texts", texts, "--out", out,
                 "--device", device], env=env)
            embedded[device] = load_file(out)["embeddings"]
            report = run([clip_run, "eval", lib, "--params", cpu, "--csv", csv,
                          "--device", device], env=env)
            embedded[device + "-recalls"] = re.findall(r"R@\d+ [0-9.]+%", report)
        e = rel(embedded["cpu"], embedded["cuda"])
        print(f"embed --device cuda vs cpu: relative L2 {e:.3g}; eval recalls "
              f"{embedded['cuda-recalls']}")
        if e > 1e-5:
            failures.append(f"embed: relative L2 {e:.3g} > 1e-5")
        if embedded["cpu-recalls"] != embedded["cuda-recalls"] or not embedded["cpu-recalls"]:
            failures.append(f"eval: recalls {embedded['cuda-recalls']} on the GPU, "
                            f"{embedded['cpu-recalls']} on the CPU")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
