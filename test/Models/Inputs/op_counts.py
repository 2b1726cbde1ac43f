"""Counts the ops of one function of a printed clip module, for FileCheck.

Usage: op_counts.py FILE FUNCTION

Prints one line per (op, type of its first operand) in the function's body
(nested bodies of clip.elementwise and parameters excluded), sorted, as

    clip.attention causal tensor<?x8x77x64xf32> 12

so a test can state exact counts per tower (the shapes tell the towers
apart). `causal` is printed for causal attention only.
"""
import collections
import re
import sys

path, function = sys.argv[1], sys.argv[2]
counts = collections.Counter()
inside = False
depth = 0
for line in open(path):
    if not inside:
        inside = re.match(r"\s*func\.func (?:private )?@%s\(" % re.escape(function), line) is not None
        continue
    if depth == 0 and re.match(r"\s*}\s*$", line):
        break
    # Region bodies of clip.elementwise: count the group, not its contents.
    if depth > 0:
        depth += line.count("{") - line.count("}")
        continue
    match = re.search(r"= (clip\.[a-z_0-9]+|func\.call)\b(.*)", line)
    if not match:
        continue
    op, rest = match.groups()
    if op in ("clip.param", "clip.input"):
        continue  # test/Models/param-counts.mlir counts parameters
    if op == "clip.elementwise":
        depth = line.count("{") - line.count("}")
    types = re.search(r": \(?(tensor<[^>]*>)", rest)
    key = [op]
    if op == "clip.attention" and re.search(r"\bcausal\b", rest.split(":")[0]):
        key.append("causal")
    key.append(types.group(1) if types else "-")
    counts[" ".join(key)] += 1
for key in sorted(counts):
    print(key, counts[key])
