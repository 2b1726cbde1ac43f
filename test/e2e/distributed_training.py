#!/usr/bin/env python3
"""Data-parallel training under mpirun (Open MPI), two ranks of one thread.

1. Equivalence: ViT-Tiny-28 on Fashion-MNIST with random crops, 20 steps of a
   global batch of 16: one process with batch 16 (@train_step) against 2 ranks
   x 8 (@train_embed, the gathered loss, @train_backward, gradients summed
   over the ranks). The loss of every step, the final parameters (as one
   vector) and every AdamW moment agree to a relative error <= 1e-5
   (printed, with the worst single tensor); the same with 2 micro-batches
   accumulated, and with each rank's share taken in chunks (--batch 16 on
   1 process x 2 chunks of 8 and on 2 ranks x 2 chunks of 4: GradCache).
2. Kill and resume: a 2-rank run killed with SIGKILL on one rank after its
   step-4 checkpoint ends the whole job (mpirun reports the rank) in bounded
   time; resumed with 2 ranks it ends bit-identical (parameters and moments)
   to an uninterrupted 2-rank run; resuming with another global batch is a
   clear error. With --zero 1 (AdamW moments sharded over the ranks,
   gathered into the checkpoints, scattered from them), a run from the
   start and one resumed from the replicated run's checkpoint end
   bit-identical to the replicated run. One process with batch 16 resumes
   the 2-rank checkpoint (same global batch) and ends within 1e-5.
3. Faults at start and on the way: ranks with different seeds stop at once
   naming the seed; a rank that stops (SIGSTOP) makes the other end the job
   after --collective-timeout, naming the collective it waited in.
4. The gathered loss against OpenCLIP: clip-gathered-loss under mpirun
   (the exchange the trainer runs) against ClipLoss(local_loss=True,
   gather_with_grad=True) run by torch.distributed with the gloo backend in
   2 processes (float64): each rank's loss, its features' gradients and the
   log-scale's gradient, relative error <= 1e-5; the same for SigLIP's
   sigmoid loss against SigLipLoss (its neighbour exchange, 'bidir') with
   the bias's gradient, 2 and 3 ranks.
5. SigLIP (clipc --loss siglip): 1 process x batch 16 against 2 ranks x 8
   and against 1 process x 2 chunks of 8, as in 1.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
from safetensors.numpy import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import run, start_until, steps_logged  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = 1e-5


def mpirun(n, *extra):
    """mpirun for 2 ranks on this machine, one OpenMP thread a rank."""
    return [shutil.which("mpirun"), "--oversubscribe", "--allow-run-as-root", "-np", str(n),
            "-x", "OMP_NUM_THREADS=1", *extra]


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def losses(path):
    return [json.loads(l)["loss"] for l in open(path) if '"train"' in l]


def compare_runs(what, one_log, two_log, one_ckpt, two_ckpt, moment_tolerance=TOLERANCE):
    a, b = losses(one_log), losses(two_log)
    if len(a) != len(b) or not a:
        raise SystemExit(f"FAIL: {what}: {len(a)} vs {len(b)} steps logged")
    loss_err = max(abs(x - y) / abs(x) for x, y in zip(a, b))
    p, q = load_file(one_ckpt), load_file(two_ckpt)
    if sorted(p) != sorted(q):
        raise SystemExit(f"FAIL: {what}: the checkpoints hold different tensors")
    names = [k for k in p if not k.startswith("optimizer/")]
    every = rel(np.concatenate([q[k].ravel() for k in names]),
                np.concatenate([p[k].ravel() for k in names]))
    # The attention's key bias has a zero gradient (a softmax ignores a
    # constant added to a row's scores): what AdamW makes of its rounding
    # noise differs with any summation order, so it is held to its size
    # (noise, well below the weights') rather than to a relative error.
    noise = 0.0

    def without_key_bias(k, x):
        nonlocal noise
        if not k.endswith("attn.in_proj_bias"):
            return x
        third = x.shape[0] // 3
        noise = max(noise, float(np.abs(p[k][third:2 * third]).max()),
                    float(np.abs(q[k][third:2 * third]).max()))
        return np.concatenate([x[:third], x[2 * third:]])

    params = {k: rel(without_key_bias(k, q[k]), without_key_bias(k, p[k])) for k in names}
    moments = {k: rel(q[k], p[k]) for k in p if k.startswith("optimizer/")}
    worst_p = max(params, key=params.get)
    worst_m = max(moments, key=moments.get)
    print(f"{what}: {len(a)} steps, loss {a[0]:.6f} -> {a[-1]:.6f}; relative error: "
          f"loss (worst step) {loss_err:.2e}, all parameters {every:.2e}, worst tensor "
          f"{params[worst_p]:.2e} ({worst_p}), worst AdamW moment {moments[worst_m]:.2e} "
          f"({worst_m}) over {len(names)} parameters; attention key biases at most "
          f"{noise:.1e} in either run")
    # The parameters as one vector are held to the tolerance; a single tensor
    # may drift further where AdamW's first, sign-like steps (m / sqrt(v) =
    # +-1) meet an element whose gradient is near zero, so rounding decides
    # its direction (seen: 1e-4 on a zero-initialized LayerNorm bias, one
    # element off by 4e-6), and is held to 1e-3.
    if (max(loss_err, every) > TOLERANCE or moments[worst_m] > moment_tolerance
            or params[worst_p] > 1e-3 or noise > 1e-3):
        raise SystemExit(f"FAIL: {what}: 2 ranks differ from 1 process by more than {TOLERANCE}"
                         f" (moments: {moment_tolerance})")


def rank_pids(mpirun_pid):
    """The clip-run processes mpirun started (its children)."""
    out = subprocess.run(["pgrep", "-P", str(mpirun_pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def start_job_until(cmd, log, steps, what):
    """start_until for a 2-rank job; also returns its ranks' pids."""
    proc = start_until(cmd, log, steps, what)
    pids = rank_pids(proc.pid)
    if len(pids) != 2:
        proc.kill()
        raise SystemExit(f"FAIL: {what}: mpirun runs {len(pids)} ranks, not 2")
    return proc, pids


def wait_ended(proc, seconds, what):
    try:
        _, err = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise SystemExit(f"FAIL: {what}: the job did not end within {seconds} s")
    return err


def equivalence(clipc, clip_run, work):
    model = os.path.join(ROOT, "models/clip/vit_tiny28.mlir")
    one, two = os.path.join(work, "b16.so"), os.path.join(work, "b8d.so")
    run([clipc, model, "--batch", "16", "-o", one])
    run([clipc, model, "--batch", "8", "--distributed", "-o", two])
    common = ["train", "--no-eval", "--seed", "5", "--random-crop", "--lr", "1e-3",
              "--warmup", "2", "--workers", "1", "--threads", "1"]
    for steps, accum in ((20, 1), (6, 2)):
        tag = f"accum{accum}"
        logs = [os.path.join(work, f"{tag}-{n}.jsonl") for n in (1, 2)]
        ckpts = [os.path.join(work, f"{tag}-{n}.safetensors") for n in (1, 2)]
        flags = ["--steps", str(steps), "--accum", str(accum)]
        start = time.time()
        run([clip_run, *common[:1], one, *common[1:], *flags, "--metrics", logs[0],
             "--checkpoint", ckpts[0]])
        single = time.time() - start
        start = time.time()
        run(mpirun(2, clip_run, *common[:1], two, *common[1:], *flags, "--metrics", logs[1],
                   "--checkpoint", ckpts[1]))
        double = time.time() - start
        compare_runs(f"1 process x batch 16 vs 2 ranks x 8, accumulation {accum}",
                     logs[0], logs[1], ckpts[0], ckpts[1])
        print(f"  wall time (compile excluded, start-up included): 1 process {single:.1f} s, "
              f"2 ranks {double:.1f} s")
    # Chunked (GradCache): a rank's share in chunks of the clip.so's batch,
    # features first, then each chunk recomputed with its gradients.
    four = os.path.join(work, "b4d.so")
    run([clipc, model, "--batch", "4", "--distributed", "-o", four])
    base = [os.path.join(work, f"accum1-1.{e}") for e in ("jsonl", "safetensors")]
    for what, cmd in (("1 process x 2 chunks of 8", [clip_run, *common[:1], two]),
                      ("2 ranks x 2 chunks of 4", mpirun(2, clip_run, *common[:1], four))):
        log, ckpt = (os.path.join(work, f"chunks-{len(cmd)}.{e}") for e in ("jsonl", "safetensors"))
        run(cmd + [*common[1:], "--steps", "20", "--batch", "16", "--metrics", log,
                   "--checkpoint", ckpt])
        compare_runs(f"1 process x batch 16 vs {what}", base[0], log, base[1], ckpt)
    return one, two, common


def kill_and_resume(clip_run, one, two, common, work):
    full = os.path.join(work, "full.safetensors")
    run(mpirun(2, clip_run, *common[:1], two, *common[1:], "--steps", "8", "--checkpoint", full))
    part = os.path.join(work, "part.safetensors")
    log = os.path.join(work, "part.jsonl")
    proc, pids = start_job_until(mpirun(2, clip_run, *common[:1], two, *common[1:], "--steps", "8",
                                    "--checkpoint", part, "--save-every", "4", "--metrics", log),
                             log, 5, "the run to be killed")
    killed = time.time()
    os.kill(pids[-1], signal.SIGKILL)
    err = wait_ended(proc, 60, "one rank killed")
    print(f"one rank killed after step {steps_logged(log)}: mpirun exited {proc.returncode} "
          f"{time.time() - killed:.1f} s later")
    if proc.returncode == 0 or "signal 9" not in err:
        print(err[-2000:])
        raise SystemExit("FAIL: the job did not end with an error naming the killed rank")
    print("  mpirun: " + next(l.strip() for l in err.splitlines() if "signal 9" in l))
    step = load_file(part)  # whole: the writes are atomic
    early = os.path.join(work, "early.safetensors")
    shutil.copy(part, early)
    run(mpirun(2, clip_run, *common[:1], two, *common[1:], "--steps", "8", "--checkpoint", part,
               "--resume", part))
    a, b = load_file(full), load_file(part)
    differ = [k for k in a if k not in b or not np.array_equal(a[k], b[k])]
    if differ or sorted(a) != sorted(b):
        raise SystemExit(f"FAIL: {len(differ)} of {len(a)} tensors differ after the resume")
    print(f"resumed 2-rank run equals the uninterrupted one: {len(a)} tensors bit-identical "
          f"(checkpoint of {len(step)} tensors)")
    # --zero 1 (moments sharded): from the start (checkpoints gathered every 3
    # steps), and from the killed run's step-4 checkpoint (scattered to the
    # owners), both equal the replicated run bit for bit.
    for what, more in (("from the start", ["--save-every", "3"]),
                       ("resumed from the replicated run's step 4", ["--resume", early])):
        sharded = os.path.join(work, "zero.safetensors")
        out = run(mpirun(2, clip_run, *common[:1], two, *common[1:], "--steps", "8",
                         "--zero", "1", "--checkpoint", sharded, *more))
        a, b = load_file(full), load_file(sharded)
        differ = [k for k in a if k not in b or not np.array_equal(a[k], b[k])]
        if differ or sorted(a) != sorted(b):
            raise SystemExit(f"FAIL: --zero 1 {what}: {len(differ)} of {len(a)} tensors differ")
        print(f"--zero 1 {what}: bit-identical to the replicated run; "
              + next(l.strip() for l in out.splitlines() if "--zero 1" in l))
    # Another rank count with the same global batch continues the run: one
    # process x 16 from the 2-rank step-4 checkpoint (to rounding).
    single = os.path.join(work, "single.safetensors")
    run([clip_run, *common[:1], one, *common[1:], "--steps", "8", "--resume", early,
         "--checkpoint", single])
    a, b = load_file(full), load_file(single)
    names = [k for k in a if not k.startswith("optimizer/")]
    err = rel(np.concatenate([b[k].ravel() for k in names]),
              np.concatenate([a[k].ravel() for k in names]))
    print(f"2-rank checkpoint resumed by 1 process x 16: parameters {err:.2e} from the 2-rank run")
    if err > TOLERANCE:
        raise SystemExit("FAIL: resuming with another rank count diverged")
    # One process with a global batch of 8 cannot continue a batch-16 run.
    out = subprocess.run([clip_run, *common[:1], two, *common[1:], "--steps", "8",
                          "--resume", full], capture_output=True, text=True)
    if out.returncode == 0 or "global batch of 16" not in out.stderr:
        print(out.stderr[-2000:])
        raise SystemExit("FAIL: resuming with another global batch was not a clear error")
    print("  resume with another global batch: " + out.stderr.strip().splitlines()[-1])


def faults(clip_run, two, common, work):
    # Ranks that disagree stop at start, naming the setting.
    cmd = [*common[:1], two, *common[1:], "--steps", "2"]
    out = subprocess.run(mpirun(1, clip_run, *cmd, "--seed", "1") + [":", "-np", "1", clip_run, *cmd,
                         "--seed", "2"], capture_output=True, text=True, timeout=120)
    if out.returncode == 0 or "disagree on seed" not in out.stderr:
        print(out.stderr[-2000:])
        raise SystemExit("FAIL: ranks with different seeds were not refused")
    print("ranks with different seeds: " + next(l.strip() for l in out.stderr.splitlines()
                                                if "disagree" in l))
    # A clip.so without the split functions cannot train on 2 ranks.
    out = subprocess.run(mpirun(2, clip_run, "train", os.path.join(work, "b16.so"), *cmd[2:]),
                         capture_output=True, text=True, timeout=120)
    if out.returncode == 0 or "clipc --distributed" not in out.stderr:
        print(out.stderr[-2000:])
        raise SystemExit("FAIL: a clip.so without @train_embed was not refused on 2 ranks")
    print("a clip.so without the split: " + next(l.strip() for l in out.stderr.splitlines()
                                                 if "--distributed" in l))
    # A rank that stops: the other gives up after the timeout.
    log = os.path.join(work, "stall.jsonl")
    stopped_rank_ends_job(mpirun(2, clip_run, *cmd[:-1], "50", "--metrics", log,
                                 "--collective-timeout", "3"), log, 60)


def stopped_rank_ends_job(job, log, seconds):
    """Starts `job` (2 ranks, --metrics log), stops one rank (SIGSTOP) after
    2 steps: the other must end the job within `seconds`, naming its wait."""
    proc, pids = start_job_until(job, log, 2, "the run to be stalled")
    stopped = time.time()
    os.kill(pids[-1], signal.SIGSTOP)
    err = wait_ended(proc, seconds, "one rank stopped")
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    line = next((l.strip() for l in err.splitlines() if "has waited" in l), None)
    print(f"one rank stopped: the job ended {time.time() - stopped:.1f} s later, exit "
          f"{proc.returncode}: {line}")
    if proc.returncode == 0 or line is None:
        print(err[-2000:])
        raise SystemExit("FAIL: a stalled rank did not end the job with a clear error")
    return line


def openclip_worker(rank, world, path, port, out):
    import torch
    import torch.distributed as dist
    import torch.nn.functional as F
    from open_clip.loss import ClipLoss, SigLipLoss
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    data = load_file(path)
    n = data["image"].shape[0]
    b = n // world
    image = torch.tensor(data["image"][rank * b:(rank + 1) * b], dtype=torch.float64,
                         requires_grad=True)
    text = torch.tensor(data["text"][rank * b:(rank + 1) * b], dtype=torch.float64,
                        requires_grad=True)
    log_scale = torch.tensor(float(data["logit_scale"]), dtype=torch.float64, requires_grad=True)
    a, b = F.normalize(image, dim=-1), F.normalize(text, dim=-1)
    result = {}
    if "logit_bias" in data:
        bias = torch.tensor(float(data["logit_bias"]), dtype=torch.float64, requires_grad=True)
        loss = SigLipLoss(rank=rank, world_size=world)(a, b, log_scale.exp(), bias)
        loss.backward()
        result["logit_bias_grad"] = np.array(bias.grad.item())
    else:
        loss_fn = ClipLoss(local_loss=True, gather_with_grad=True, rank=rank, world_size=world)
        loss = loss_fn(a, b, log_scale.exp())
        loss.backward()
    result.update({"loss": np.array(loss.item()), "image_grad": image.grad.numpy(),
                   "text_grad": text.grad.numpy(),
                   "logit_scale_grad": np.array(log_scale.grad.item())})
    save_file(result, f"{out}{rank}.safetensors")
    dist.destroy_process_group()


def against_openclip(build, work):
    import socket
    import torch.multiprocessing as mp
    rng = np.random.default_rng(11)
    n, d = 48, 64
    features = {"image": rng.standard_normal((n, d)).astype(np.float32),
                "text": rng.standard_normal((n, d)).astype(np.float32)}
    cases = (("CLIP loss", 2, {"logit_scale": np.array(np.log(1 / 0.07), np.float32)}),
             ("SigLIP loss", 2, {"logit_scale": np.array(np.log(10.0), np.float32),
                                 "logit_bias": np.array(-10.0, np.float32)}),
             ("SigLIP loss", 3, {"logit_scale": np.array(2.0, np.float32),
                                 "logit_bias": np.array(-3.0, np.float32)}))
    for k, (what, ranks, scalars) in enumerate(cases):
        path = os.path.join(work, f"features{k}.safetensors")
        save_file({**features, **scalars}, path)
        ours, theirs = os.path.join(work, f"ours{k}-"), os.path.join(work, f"openclip{k}-")
        run(mpirun(ranks, os.path.join(build, "bin", "clip-gathered-loss"), path, ours))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        mp.spawn(openclip_worker, args=(ranks, path, port, theirs), nprocs=ranks, join=True)
        worst = 0.0
        keys = ["loss", "image_grad", "text_grad", "logit_scale_grad"]
        if "logit_bias" in scalars:
            keys.append("logit_bias_grad")
        for r in range(ranks):
            a, b = load_file(f"{ours}{r}.safetensors"), load_file(f"{theirs}{r}.safetensors")
            errs = {key: rel(a[key], b[key]) for key in keys}
            print(f"{what}, {ranks} ranks, rank {r}: loss {float(a['loss']):.8f} (OpenCLIP "
                  f"{float(b['loss']):.8f}); " + ", ".join(f"{key} {e:.2e}"
                                                         for key, e in errs.items()))
            worst = max(worst, *errs.values())
        if worst > TOLERANCE:
            raise SystemExit(f"FAIL: the gathered {what} differs from OpenCLIP's by {worst:.2e}")


def siglip_equivalence(clipc, clip_run, common, work):
    """clipc --loss siglip: the unsplit step, 2 ranks and 2 chunks agree."""
    model = os.path.join(ROOT, "models/clip/vit_tiny28.mlir")
    one, two = os.path.join(work, "siglip-b16.so"), os.path.join(work, "siglip-b8d.so")
    run([clipc, model, "--batch", "16", "--loss", "siglip", "-o", one])
    run([clipc, model, "--batch", "8", "--loss", "siglip", "--distributed", "-o", two])
    flags = ["--steps", "10", "--loss", "siglip"]
    runs = {}
    for what, cmd in (("1 process x batch 16", [clip_run, *common[:1], one]),
                      ("2 ranks x 8", mpirun(2, clip_run, *common[:1], two)),
                      ("1 process x 2 chunks of 8",
                       [clip_run, *common[:1], two, "--batch", "16"])):
        log, ckpt = (os.path.join(work, f"siglip-{len(runs)}.{e}")
                     for e in ("jsonl", "safetensors"))
        run(cmd + [*common[1:], *flags, "--metrics", log, "--checkpoint", ckpt])
        runs[what] = (log, ckpt)
    base = runs["1 process x batch 16"]
    for what in ("2 ranks x 8", "1 process x 2 chunks of 8"):
        compare_runs(f"SigLIP: 1 process x batch 16 vs {what}", base[0], runs[what][0],
                     base[1], runs[what][1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    if not shutil.which("mpirun"):
        print("no mpirun (Open MPI): skipped")
        return 77
    clipc = os.path.join(args.build, "bin", "clipc")
    clip_run = os.path.join(args.build, "bin", "clip-run")
    with tempfile.TemporaryDirectory() as work:
        against_openclip(args.build, work)
        one, two, common = equivalence(clipc, clip_run, work)
        kill_and_resume(clip_run, one, two, common, work)
        faults(clip_run, two, common, work)
        siglip_equivalence(clipc, clip_run, common, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
