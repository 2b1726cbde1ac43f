#!/usr/bin/env python3
"""Data-parallel scaling on the CPU, 1 -> 2 ranks, clipc against PyTorch DDP
in one run.

The main job's model (ViT-Tiny-28) at one global batch, whole training steps
(forward, backward, gradient exchange, AdamW):
  clipc:   clip-run train on Fashion-MNIST (its loader included), one process
           with 1 thread and with 2 threads, and `mpirun -np 2` with 1 thread
           a rank (the split step, the gathered loss, bucketed all-reduce);
  PyTorch: OpenCLIP's model and ClipLoss on random inputs of the same shapes
           (no data loading), one process with 1 and 2 threads, and 2
           processes of 1 thread under DistributedDataParallel (gloo) with
           ClipLoss(local_loss=True, gather_with_grad=True).
Prints pairs/s for each, the 1 -> 2 rank scaling of each, and clipc's ratio
to PyTorch at 2 ranks. Usage: bench/distributed_scaling.py [--batch 128]
[--steps 30]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root"]

TORCH_CHILD = r"""
import json, os, sys, time, torch
import torch.distributed as dist
sys.path.insert(0, os.path.join(sys.argv[1], "test/parity"))
from openclip_parity import build_model, random_tokens
from open_clip.loss import ClipLoss
batch, steps, threads = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
if world > 1:
    dist.init_process_group("gloo")
model, cfg = build_model("ViT-Tiny-28", None, seed=1234)
model.train()
if world > 1:
    model = torch.nn.parallel.DistributedDataParallel(model)
size = cfg["vision_cfg"]["image_size"]
g = torch.Generator().manual_seed(rank)
image = torch.randn(batch, 3, size, size, generator=g)
text = random_tokens(batch, cfg["text_cfg"]["context_length"], g)
loss_fn = ClipLoss(local_loss=world > 1, gather_with_grad=world > 1, rank=rank, world_size=world)
opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.2, betas=(0.9, 0.98), eps=1e-6)
times = []
for i in range(steps + 3):
    start = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    i_f, t_f, s = model(image, text)
    loss_fn(i_f, t_f, s).backward()
    opt.step()
    times.append(time.perf_counter() - start)
if rank == 0:
    print(json.dumps({"step_s": sorted(times[3:])[len(times[3:]) // 2]}))
if world > 1:
    dist.destroy_process_group()
"""


def clipc_pairs_per_s(build, lib, batch_per_rank, ranks, threads, steps, work):
    log = os.path.join(work, f"clipc-{ranks}-{threads}.jsonl")
    cmd = [os.path.join(build, "bin/clip-run"), "train", lib, "--steps", str(steps), "--no-eval",
           "--workers", "1", "--threads", str(threads), "--metrics", log, "--log-every", "1000"]
    if ranks > 1:
        cmd = MPIRUN + ["-np", str(ranks), "-x", f"OMP_NUM_THREADS={threads}"] + cmd
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    rows = [json.loads(l) for l in open(log) if '"train"' in l]
    # pairs/s is cumulative; the rate over steps 4..N drops the first steps
    # (memory first touched, the loader filling its queue).
    first, last = rows[3], rows[-1]
    t_first = first["step"] * batch_per_rank * ranks / first["pairs_per_s"]
    t_last = last["step"] * batch_per_rank * ranks / last["pairs_per_s"]
    return (last["step"] - first["step"]) * batch_per_rank * ranks / (t_last - t_first)


def torch_pairs_per_s(batch_per_rank, ranks, threads, steps, work):
    script = os.path.join(work, "torch_child.py")
    with open(script, "w") as f:
        f.write(TORCH_CHILD)
    args = [script, ROOT, str(batch_per_rank), str(steps), str(threads)]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    if ranks == 1:
        out = subprocess.run([sys.executable] + args, check=True, capture_output=True,
                             text=True, env=env).stdout
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node",
                              str(ranks), "--master-port", str(port)] + args, check=True,
                             capture_output=True, text=True, env=env).stdout
    step = json.loads(out.strip().splitlines()[-1])["step_s"]
    return batch_per_rank * ranks / step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--batch", type=int, default=128, help="global batch")
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    if not shutil.which("mpirun"):
        raise SystemExit("needs Open MPI's mpirun (scripts/setup.sh installs it)")
    model = os.path.join(ROOT, "models/clip/vit_tiny28.mlir")
    half = args.batch // 2
    with tempfile.TemporaryDirectory() as work:
        whole, split = os.path.join(work, "whole.so"), os.path.join(work, "split.so")
        clipc = os.path.join(args.build, "bin/clipc")
        subprocess.run([clipc, model, "--batch", str(args.batch), "-o", whole], check=True)
        subprocess.run([clipc, model, "--batch", str(half), "--distributed", "-o", split],
                       check=True)
        rows = []
        for label, ranks, threads in (("1 process, 1 thread", 1, 1),
                                      ("1 process, 2 threads", 1, 2),
                                      ("2 ranks x 1 thread", 2, 1)):
            per_rank = args.batch // ranks
            ours = clipc_pairs_per_s(args.build, whole if ranks == 1 else split, per_rank,
                                     ranks, threads, args.steps, work)
            theirs = torch_pairs_per_s(per_rank, ranks, threads, args.steps, work)
            rows.append((label, ours, theirs))
    print(f"ViT-Tiny-28, global batch {args.batch}, whole training steps, "
          f"{os.cpu_count()} cores; pairs/s")
    print(f"  {'':24} {'clipc':>10} {'PyTorch':>10} {'ratio':>7}")
    for label, ours, theirs in rows:
        print(f"  {label:24} {ours:10.1f} {theirs:10.1f} {ours / theirs:6.2f}x")
    base_ours, base_theirs = rows[0][1], rows[0][2]
    print(f"  1 -> 2 ranks scaling: clipc {rows[2][1] / base_ours:.2f}x, "
          f"PyTorch DDP {rows[2][2] / base_theirs:.2f}x (ideal 2.00x)")


if __name__ == "__main__":
    main()
