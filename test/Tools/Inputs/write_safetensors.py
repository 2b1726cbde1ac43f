"""Writes a small safetensors file without any package: name=dtype:shape:v,v,..

Usage: write_safetensors.py OUT name=F32:2x3:1,2,3,4,5,6 [name=I64:2:7,8] [--truncate N]
"""
import json
import struct
import sys

FORMATS = {"F32": "f", "F64": "d", "I64": "q", "I32": "i"}
args = sys.argv[2:]
truncate = None
if "--truncate" in args:
    i = args.index("--truncate")
    truncate = int(args[i + 1])
    args = args[:i] + args[i + 2:]
header, data = {}, b""
for spec in args:
    name, rest = spec.split("=", 1)
    dtype, shape, values = rest.split(":")
    shape = [int(d) for d in shape.split("x")] if shape else []
    blob = b"".join(struct.pack("<" + FORMATS[dtype], float(v) if dtype[0] == "F" else int(v))
                    for v in values.split(",") if v)
    header[name] = {"dtype": dtype, "shape": shape,
                    "data_offsets": [len(data), len(data) + len(blob)]}
    data += blob
text = json.dumps(header).encode()
text += b" " * (-(len(text) + 8) % 8)
out = struct.pack("<Q", len(text)) + text + data
if truncate is not None:
    out = out[:truncate]
open(sys.argv[1], "wb").write(out)
