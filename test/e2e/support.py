"""Helpers the end-to-end tests share: running a tool, reading a metrics log."""
import os
import subprocess
import sys
import time


def run(cmd, env=None):
    """Runs `cmd`; on failure prints the end of its output and fails the test."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {result.returncode}")
    return result.stdout


def run_process(cmd, expect_ok=True):
    """Runs `cmd` and returns the finished process (stdout and stderr as
    text); with `expect_ok`, a failure ends the test with its output."""
    result = subprocess.run(cmd, capture_output=True, text=True)
    if expect_ok and result.returncode != 0:
        sys.exit(f"FAIL {' '.join(cmd)}\n{result.stdout}{result.stderr}")
    return result


class Checks:
    """Named checks of one test: each printed as it is made (ok / FAIL and
    what it measured); `finish()` exits non-zero if any failed."""

    def __init__(self):
        self.failures = []

    def __call__(self, ok, what):
        print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            self.failures.append(what)

    def finish(self):
        sys.exit(1 if self.failures else 0)


def steps_logged(path):
    """How many training steps a `clip-run train --metrics` log holds."""
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(1 for line in f if '"train"' in line)


def start_until(cmd, log, steps, what):
    """Starts `cmd` (a training run writing its metrics to `log`) and waits
    until it has logged `steps` steps; fails the test if it ends first.
    Returns the running process (stdout and stderr piped, as text)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 600
    while steps_logged(log) < steps and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    if proc.poll() is not None:
        raise SystemExit(f"FAIL: {what} ended before step {steps}")
    return proc
