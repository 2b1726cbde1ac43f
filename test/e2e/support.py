"""Helpers the end-to-end tests share: running a tool, reading a metrics log."""
import os
import subprocess


def run(cmd, env=None):
    """Runs `cmd`; on failure prints the end of its output and fails the test."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:])
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {result.returncode}")
    return result.stdout


def steps_logged(path):
    """How many training steps a `clip-run train --metrics` log holds."""
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(1 for line in f if '"train"' in line)
