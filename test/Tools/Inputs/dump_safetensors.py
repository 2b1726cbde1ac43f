"""Prints each tensor of a safetensors file: name dtype shape values."""
import json
import struct
import sys

FORMATS = {"F32": "f", "F64": "d", "I64": "q", "I32": "i"}
blob = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", blob[:8])
header = json.loads(blob[8:8 + n])
data = blob[8 + n:]
for name in sorted(k for k in header if k != "__metadata__"):
    e = header[name]
    fmt = FORMATS[e["dtype"]]
    begin, end = e["data_offsets"]
    count = (end - begin) // struct.calcsize(fmt)
    values = list(struct.unpack("<%d%s" % (count, fmt), data[begin:end]))
    print(name, e["dtype"], e["shape"], values)
