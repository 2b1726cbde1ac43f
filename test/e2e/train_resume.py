#!/usr/bin/env python3
"""clip-run train on Fashion-MNIST: the loss falls, and a killed run resumes
bit-for-bit.

1. A short run of the main job's model, ViT-Tiny-28 (batch 32, 120 steps,
   lr 2e-3): the mean loss of the last 10 steps must be at least 0.5 below
   chance, ln 32 = 3.47 (it must learn, not only lose the initial logit
   scale's excess; measured: first 10 steps 3.49, last 10 2.37).
2. The same 8-step run twice: uninterrupted, and killed with SIGKILL once its
   step-4 checkpoint is on disk (during step 5 or later), then resumed from
   that checkpoint. The final checkpoints - every parameter and both AdamW
   moments - must be bit-identical: the data order, captions, kernels and
   optimizer are deterministic on the CPU, and a checkpoint holds all state.
3. The checkpoint written during the kill is whole (atomic writes): it loads.
   A run whose learning rate blows up stops at the first non-finite loss or
   gradient norm, naming it, and its checkpoint keeps the last good step;
   with --check-numerics it names the step, the first kernel that wrote a
   NaN or Inf and its op's line in the model file.
   SIGINT saves after the step in progress and exits 130; resumed, the run
   ends bit-identical to an uninterrupted one. A checkpoint write past a
   1 MiB file-size limit (a full disk's stand-in) is a clear error and leaves
   the previous checkpoint byte-identical; truncated and foreign
   checkpoints on --resume are refused naming the file and the problem.
4. With run 1's weights: `clip-run embed` writes L2-normalized rows for 100
   Fashion-MNIST test images and their captions, and `clip-run eval --csv`
   reports the retrieval recalls that numpy computes from those embeddings
   (rank = how many candidates score strictly above the true pair; at most
   one query may differ, for float near-ties between the two dot products;
   the captions are unique, as duplicates would be ties broken by rounding).
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

import numpy as np
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import run, start_until, steps_logged  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    clipc = os.path.join(args.build, "bin", "clipc")
    clip_run = os.path.join(args.build, "bin", "clip-run")
    with tempfile.TemporaryDirectory() as work:
        lib = os.path.join(work, "tiny.so")
        run([clipc, os.path.join(ROOT, "models/clip/vit_tiny28.mlir"), "--batch", "32", "-o", lib])
        common = [clip_run, "train", lib, "--no-eval", "--seed", "7", "--workers", "2"]

        # 1. The loss falls.
        metrics = os.path.join(work, "fall.jsonl")
        trained = os.path.join(work, "fall.safetensors")
        run(common + ["--steps", "120", "--lr", "2e-3", "--warmup", "10", "--metrics", metrics,
                      "--checkpoint", trained])
        losses = [json.loads(l)["loss"] for l in open(metrics) if '"train"' in l]
        first, last = np.mean(losses[:10]), np.mean(losses[-10:])
        chance = np.log(32)
        print(f"loss: first 10 steps {first:.4f}, last 10 {last:.4f} (chance {chance:.4f})")
        if not last < chance - 0.5:
            raise SystemExit("FAIL: the loss did not fall 0.5 below chance")

        # 2. Kill and resume.
        full = os.path.join(work, "full.safetensors")
        run(common + ["--steps", "8", "--checkpoint", full])
        part = os.path.join(work, "part.safetensors")
        log = os.path.join(work, "part.jsonl")
        proc = start_until(common + ["--steps", "8", "--checkpoint", part, "--save-every", "4",
                                     "--metrics", log], log, 5, "the run to be killed")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        killed_at = steps_logged(log)
        saved = load_file(part)
        print(f"killed after step {killed_at}; checkpoint holds {len(saved)} tensors")
        run(common + ["--steps", "8", "--checkpoint", part, "--resume", part,
                      "--metrics", log])
        a, b = load_file(full), load_file(part)
        if sorted(a) != sorted(b):
            raise SystemExit("FAIL: the checkpoints hold different tensors")
        differ = [k for k in a if not np.array_equal(a[k], b[k])]
        if differ:
            worst = max(differ, key=lambda k: float(np.max(np.abs(a[k] - b[k]))))
            raise SystemExit(f"FAIL: {len(differ)} of {len(a)} tensors differ after resume "
                             f"(worst {worst}: {np.max(np.abs(a[worst] - b[worst]))})")
        print(f"resumed run equals the uninterrupted one: {len(a)} tensors bit-identical "
              f"(parameters and AdamW moments)")

        # 3b. A learning rate that blows up: the run stops at the first
        # non-finite loss or gradient norm with a clear message, and the
        # checkpoint keeps the last good step.
        blown = os.path.join(work, "blown.safetensors")
        out = subprocess.run(common + ["--steps", "6", "--lr", "1e9", "--warmup", "1",
                                       "--save-every", "1", "--checkpoint", blown],
                             capture_output=True, text=True)
        message = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
        kept = load_file(blown)
        finite = all(np.isfinite(v).all() for v in kept.values())
        print(f"lr 1e9: exit {out.returncode}: {message}")
        if out.returncode == 0 or "not finite" not in message or not finite:
            raise SystemExit("FAIL: a non-finite loss did not stop training cleanly, or the "
                             "checkpoint was overwritten with non-finite values")
        # --check-numerics names the step, the first kernel that wrote a NaN
        # or Inf and its op's place in the model file.
        out = subprocess.run(common + ["--steps", "6", "--lr", "1e9", "--warmup", "1",
                                       "--check-numerics"], capture_output=True, text=True)
        message = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
        print(f"lr 1e9 --check-numerics: {message}")
        if (out.returncode == 0 or not re.search(r"step 2: @train_step: kernel \w+ \(clip\.\w+ "
                                                 r"at .*vit_tiny28\.mlir:\d+:\d+\), output \d+ "
                                                 r"holds (NaN|Inf|-Inf) at element", message)):
            raise SystemExit("FAIL: --check-numerics did not name the step, kernel and op")

        # 3c. Ctrl-C: the run saves after the step in progress and exits 130;
        # resumed, it ends bit-identical to an uninterrupted run.
        check_interrupt(common, work)
        # 3d. A checkpoint that cannot be written (the file-size limit
        # stands in for a full disk) is a clear error and leaves the previous
        # one as it was; truncated or foreign checkpoints are refused by name.
        check_write_faults(common, trained, work)

        check_read_only_folder(common, trained, work)
        # 3e. Image files that vanish mid-run: a clear error naming the row
        # and file, or skipped with --skip-bad.
        check_vanishing_data(common, work)

        # 4. embed and retrieval.
        check_embed_and_retrieval(clip_run, lib, trained, work)
    return 0


def check_interrupt(common, work):
    full = os.path.join(work, "full40.safetensors")
    run(common + ["--steps", "40", "--checkpoint", full])
    part = os.path.join(work, "int40.safetensors")
    log = os.path.join(work, "int40.jsonl")
    proc = start_until(common + ["--steps", "40", "--checkpoint", part, "--metrics", log], log, 3,
                       "the run to be interrupted")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    line = out.strip().splitlines()[-1] if out.strip() else ""
    print(f"SIGINT: exit {proc.returncode}: {line}")
    if proc.returncode != 130 or "interrupted after step" not in line:
        print(err[-2000:])
        raise SystemExit("FAIL: SIGINT did not save and stop cleanly")
    run(common + ["--steps", "40", "--checkpoint", part, "--resume", part])
    a, b = load_file(full), load_file(part)
    differ = [k for k in a if not np.array_equal(a[k], b[k])]
    if differ or sorted(a) != sorted(b):
        raise SystemExit(f"FAIL: after SIGINT and resume, {len(differ)} tensors differ")
    print(f"  resumed: {len(a)} tensors bit-identical to the uninterrupted run")


def check_write_faults(common, good, work):
    import hashlib
    import resource
    import shutil
    ckpt = os.path.join(work, "limited.safetensors")
    shutil.copy(good, ckpt)
    before = hashlib.sha256(open(ckpt, "rb").read()).hexdigest()
    steps = str(int(dict(load_file_metadata(ckpt))["train/step"]) + 1)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    out = subprocess.run(common + ["--steps", steps, "--resume", ckpt, "--checkpoint", ckpt],
                         capture_output=True, text=True, preexec_fn=limit)
    message = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
    print(f"checkpoint past a 1 MiB file-size limit: exit {out.returncode}: {message}")
    after = hashlib.sha256(open(ckpt, "rb").read()).hexdigest()
    leftovers = [f for f in os.listdir(work) if f.startswith("limited.safetensors.tmp")]
    if (out.returncode == 0 or "File too large" not in message or "is unchanged" not in message
            or before != after or leftovers):
        raise SystemExit("FAIL: a failed checkpoint write was not a clear error, or it "
                         "touched the previous checkpoint")
    for name, data, expected in (("truncated", open(good, "rb").read()[:4096], "truncated"),
                                 ("foreign", b"not a checkpoint", "not a valid safetensors")):
        path = os.path.join(work, f"{name}.safetensors")
        with open(path, "wb") as f:
            f.write(data)
        out = subprocess.run(common + ["--steps", steps, "--resume", path],
                             capture_output=True, text=True)
        message = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
        print(f"--resume {name} checkpoint: {message}")
        if out.returncode == 0 or expected not in message or path not in message:
            raise SystemExit(f"FAIL: a {name} checkpoint was not refused clearly")


def check_read_only_folder(common, good, work):
    """A checkpoint into a folder that cannot be written: refused before the
    first step, the checkpoint there unchanged. Root ignores permissions, so
    as root the run is made as user nobody."""
    import hashlib
    import shutil
    folder = os.path.join(work, "read-only")
    os.mkdir(folder)
    ckpt = os.path.join(folder, "ckpt.safetensors")
    shutil.copy(good, ckpt)
    os.chmod(ckpt, 0o644)
    os.chmod(folder, 0o555)
    os.chmod(work, 0o755)  # nobody reads the clip.so in it
    before = hashlib.sha256(open(ckpt, "rb").read()).hexdigest()
    steps = str(int(dict(load_file_metadata(ckpt))["train/step"]) + 1)

    def as_nobody():
        if os.geteuid() == 0:
            os.setgid(65534)
            os.setuid(65534)
    log = os.path.join(work, "read-only.jsonl")
    with open(log, "w"):
        os.chmod(log, 0o666)
    out = subprocess.run(common + ["--steps", steps, "--resume", ckpt, "--checkpoint", ckpt,
                                   "--metrics", log],
                         capture_output=True, text=True, preexec_fn=as_nobody)
    message = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
    print(f"checkpoint into a read-only folder: exit {out.returncode} after "
          f"{steps_logged(log)} steps: {message}")
    after = hashlib.sha256(open(ckpt, "rb").read()).hexdigest()
    if (out.returncode == 0 or "Permission denied" not in message or ckpt not in message
            or steps_logged(log) != 0 or before != after):
        print(out.stdout[-2000:])
        raise SystemExit("FAIL: a read-only checkpoint folder was not refused before "
                         "training, or the checkpoint there changed")


def check_vanishing_data(common, work):
    """A CSV dataset whose image files are deleted after step 2 of 16 (two
    epochs of 8 batches): the run stops naming the row and the missing file;
    with --skip-bad it finishes, reporting the skipped samples."""
    import gzip
    import shutil
    from PIL import Image
    data = "/usr/share/datasets/fashion-mnist"
    with gzip.open(f"{data}/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read()[16:16 + 256 * 784], np.uint8).reshape(-1, 28, 28)
    for skip in (False, True):
        folder = os.path.join(work, f"vanishing-{int(skip)}")
        os.mkdir(folder)
        csv = os.path.join(folder, "pairs.csv")
        with open(csv, "w") as c:
            c.write("filepath\ttitle\n")
            for i in range(256):
                Image.fromarray(images[i]).save(os.path.join(folder, f"{i:03}.png"))
                c.write(f"{i:03}.png\titem {i}\n")
        log = os.path.join(folder, "log.jsonl")
        cmd = common + ["--csv", csv, "--steps", "16", "--metrics", log]
        proc = start_until(cmd + (["--skip-bad"] if skip else []), log, 2,
                           "the run whose data vanishes")
        for i in range(0, 256, 2):
            os.unlink(os.path.join(folder, f"{i:03}.png"))
        out, err = proc.communicate(timeout=300)
        last = err.strip().splitlines()[-1] if err.strip() else ""
        done = steps_logged(log)
        if skip:
            skipped = err.count("skipping a bad sample")
            print(f"images deleted after step 2, --skip-bad: exit {proc.returncode}, "
                  f"{done} steps, {skipped} skip line(s): {last}")
            if proc.returncode != 0 or done != 16 or "skipping a bad sample" not in err:
                print(err[-2000:])
                raise SystemExit("FAIL: --skip-bad did not train on past vanished files")
        else:
            print(f"images deleted after step 2: exit {proc.returncode} after {done} steps: "
                  f"{last}")
            if (proc.returncode == 0 or not re.search(r"pairs\.csv line \d+.*\.png: cannot "
                                                      r"open: No such file", last)):
                print(err[-2000:])
                raise SystemExit("FAIL: vanished image files were not a clear error")
        shutil.rmtree(folder)


def load_file_metadata(path):
    from safetensors import safe_open
    with safe_open(path, "np") as f:
        return f.metadata()


def check_embed_and_retrieval(clip_run, lib, params, work):
    import gzip
    from PIL import Image
    data = "/usr/share/datasets/fashion-mnist"
    with gzip.open(f"{data}/t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read()[16:], np.uint8).reshape(-1, 28, 28)
    with gzip.open(f"{data}/t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read()[8:], np.uint8)
    names = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
             "sneaker", "bag", "ankle boot"]
    count = 100
    csv, listing, texts = [os.path.join(work, n) for n in ("pairs.csv", "images.txt", "texts.txt")]
    with open(csv, "w") as c, open(listing, "w") as l, open(texts, "w") as t:
        c.write("filepath\ttitle\n")
        for i in range(count):
            path = os.path.join(work, f"img{i:03}.png")
            Image.fromarray(images[i]).save(path)
            # Unique captions: identical ones embed to near-identical rows
            # whose order the two dot products may break either way.
            caption = f"a photo of a {names[labels[i]]}, item {i}."
            c.write(f"{os.path.basename(path)}\t{caption}\n")
            l.write(path + "\n")
            t.write(caption + "\n")
    img_out, txt_out = os.path.join(work, "img.npy"), os.path.join(work, "txt.safetensors")
    run([clip_run, "embed", lib, "--params", params, "--images", listing, "--out", img_out])
    run([clip_run, "embed", lib, "--params", params, "--texts", texts, "--out", txt_out])
    img = np.load(img_out)
    txt = load_file(txt_out)["embeddings"]
    for what, e in (("image", img), ("text", txt)):
        norms = np.linalg.norm(e.astype(np.float64), axis=1)
        if e.shape[0] != count or np.max(np.abs(norms - 1)) > 1e-5:
            raise SystemExit(f"FAIL: {what} embeddings {e.shape} are not {count} unit rows "
                             f"(norms {norms.min()}..{norms.max()})")
    out = run([clip_run, "eval", lib, "--params", params, "--csv", csv])
    import re
    ours = [float(x) for x in re.findall(r"R@\d+ ([0-9.]+)%", out)]
    sims = img.astype(np.float64) @ txt.astype(np.float64).T
    def recalls(s):
        truth = np.diag(s)[:, None]
        rank = (s > truth).sum(axis=1)
        return [100.0 * np.mean(rank < k) for k in (1, 5, 10)]
    expected = recalls(sims) + recalls(sims.T)
    print(f"retrieval on {count} pairs: clip-run {ours}, numpy {expected}")
    if len(ours) != 6 or max(abs(a - b) for a, b in zip(ours, expected)) > 100.0 / count + 1e-6:
        raise SystemExit("FAIL: clip-run eval's recalls differ from the embeddings'")


if __name__ == "__main__":
    sys.exit(main())
