#!/usr/bin/env python3
"""Data-parallel training on GPUs with NCCL, under mpirun, without a GPU.

The real CudaExecutors, DistributedTrainer's device path and NcclCommunicator
run against the emulated CUDA driver (libclip-emulated-cuda.so, two "GPUs"
on the machine: each rank takes the one of its local rank) and the emulated
NCCL (libclip-emulated-nccl.so: the collectives as host functions in stream
order, over MPI). The tiny ViT, 10 steps of a global batch of 4 with random
crops:

1. 2 ranks x 2 on the GPUs (the features all-gathered and their gradients
   reduce-scattered with NCCL on device memory, the parameters' gradients
   all-reduced in buckets on the NCCL stream) against 1 process x 4 on one
   GPU (@train_step, CudaTrainer's device update): the loss of every step
   and the parameters as one vector within 1e-5 relative; the AdamW moments
   within 1e-4 (the device's update and loss kernels against the host's
   update and gathered loss: other summation orders, as
   cuda_emulated_train.py holds them).
2. The same 2-rank job on the CPU (MPI): as in 1 (the CPU's kernels
   against the device's).
3. --zero 1 on the GPUs: bit-identical to the replicated job.
4. One rank killed after its step-5 checkpoint ends the job; resumed, it
   equals the uninterrupted job bit for bit.
5. One rank stopped (SIGSTOP): the other ends the job after
   --collective-timeout, naming the collective it waited in (an NCCL wait
   runs under the same watchdog as MPI's).
"""
import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

import numpy as np
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from distributed_training import (compare_runs, mpirun, start_job_until,  # noqa: E402
                                  steps_logged, stopped_rank_ends_job, wait_ended)
from support import run  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def identical(a_path, b_path, what):
    a, b = load_file(a_path), load_file(b_path)
    differ = [k for k in a if k not in b or not np.array_equal(a[k], b[k])]
    if differ or sorted(a) != sorted(b):
        raise SystemExit(f"FAIL: {what}: {len(differ)} of {len(a)} tensors differ")
    print(f"{what}: {len(a)} tensors bit-identical")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    nccl = os.path.join(args.build, "lib", "libclip-emulated-nccl.so")
    if not shutil.which("mpirun") or not os.path.exists(nccl):
        print("no mpirun (Open MPI) or no emulated NCCL: skipped")
        return 77
    clipc = os.path.join(args.build, "bin", "clipc")
    clip_run = os.path.join(args.build, "bin", "clip-run")
    driver = os.path.join(args.build, "lib", "libclip-emulated-cuda.so")
    model = os.path.join(ROOT, "models/clip/vit_tiny.mlir")
    with tempfile.TemporaryDirectory() as work:
        env = {"CLIPC_CUDA_DRIVER": driver, "CLIPC_CUBLASLT": driver, "CLIPC_NCCL": nccl,
               "CLIPC_EMULATED_GPUS": "2", "CLIPC_CACHE_DIR": os.path.join(work, "cache"),
               # One thread a block: the device library holds for any block
               # size, and 256 threads' barriers cost minutes on 2 cores.
               "CLIPC_EMULATE_BLOCK": "1"}
        os.environ.update(env)  # the 1-process run; mpirun passes them on with -x
        exported = [a for k in env for a in ("-x", k)]
        one, two = os.path.join(work, "b4.so"), os.path.join(work, "b2d.so")
        run([clipc, model, "--batch", "4", "--target", "all", "-o", one])
        run([clipc, model, "--batch", "2", "--distributed", "--target", "all", "-o", two])
        common = ["--no-eval", "--seed", "5", "--random-crop", "--lr", "1e-3", "--warmup", "2",
                  "--workers", "1", "--threads", "1", "--steps", "10"]

        def paths(name):
            return os.path.join(work, f"{name}.jsonl"), os.path.join(work, f"{name}.safetensors")

        def job(name, device, *extra, ranks=2):
            log, ckpt = paths(name)
            cmd = [clip_run, "train", two, "--device", device, *common, "--metrics", log,
                   "--checkpoint", ckpt, *extra]
            start = time.time()
            out = run(mpirun(ranks, *exported, *cmd))
            print(f"  {name}: {time.time() - start:.1f} s")
            return out

        log1, ckpt1 = paths("one-gpu")
        run([clip_run, "train", one, "--device", "cuda", *common, "--metrics", log1,
             "--checkpoint", ckpt1])
        out = job("two-gpus", "cuda")
        if "with NCCL" not in out or "clipc host emulator" not in out:
            raise SystemExit("FAIL: the job did not run on the emulated GPUs with NCCL:\n" + out)
        print("  " + next(l for l in out.splitlines() if "with NCCL" in l)[:160])
        log2, ckpt2 = paths("two-gpus")
        compare_runs("1 GPU x batch 4 vs 2 GPUs x 2 (NCCL)", log1, log2, ckpt1, ckpt2,
                     moment_tolerance=1e-4)
        job("two-cpus", "cpu")
        # The CPU's kernels against the device's: the moments as in 1.
        compare_runs("2 ranks x 2 on the CPU (MPI) vs on the GPUs (NCCL)", paths("two-cpus")[0],
                     log2, paths("two-cpus")[1], ckpt2, moment_tolerance=1e-4)
        job("zero", "cuda", "--zero", "1")
        identical(ckpt2, paths("zero")[1], "--zero 1 on the GPUs vs replicated")

        # Kill one rank after its step-5 checkpoint; resume.
        log, part = paths("part")
        cmd = [clip_run, "train", two, "--device", "cuda", *common, "--metrics", log,
               "--checkpoint", part, "--save-every", "5"]
        proc, pids = start_job_until(mpirun(2, *exported, *cmd), log, 6, "the job to be killed")
        os.kill(pids[-1], signal.SIGKILL)
        err = wait_ended(proc, 60, "one rank killed")
        if proc.returncode == 0 or "signal 9" not in err:
            print(err[-2000:])
            raise SystemExit("FAIL: the job did not end with an error naming the killed rank")
        print(f"one rank killed after step {steps_logged(log)}: the job ended (mpirun exited "
              f"{proc.returncode})")
        run(mpirun(2, *exported, *cmd, "--resume", part))
        identical(ckpt2, part, "resumed 2-GPU job vs uninterrupted")

        # A rank that stops: the other gives up after the timeout, naming
        # what it waited in.
        log = os.path.join(work, "stall.jsonl")
        stopped_rank_ends_job(mpirun(2, *exported, clip_run, "train", two, "--device", "cuda",
                                     *common[:-1], "50", "--metrics", log,
                                     "--collective-timeout", "5"), log, 120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
