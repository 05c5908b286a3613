#!/usr/bin/env python3
"""Prints a manifest of a safetensors file: one line per tensor, `NAME DTYPE SHAPE SHA256-of-its-bytes`, sorted.

Usage: vector_manifest.py FILE.safetensors [> MANIFEST]
       vector_manifest.py --check MANIFEST FILE.safetensors   (exit 1 unless every listed tensor is in FILE, same
                                                               dtype, shape and bytes; extra tensors are fine)

Tests/Fixtures/vectors/ggml-quant-vectors.v1.manifest is this script's output for the first (12-type) copy of
ggml-quant-vectors.safetensors (git show d739cbc:Tests/Fixtures/vectors/ggml-quant-vectors.safetensors), made before
the file was replaced by the current shared/ copy; GGMLVectorTests reads it to prove the replacement kept every
tensor of the old file byte for byte, so the old vector tests keep their meaning.
"""
import hashlib
import json
import struct
import sys


def manifest(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    lines = []
    for name in sorted(k for k in header if k != "__metadata__"):
        t = header[name]
        lo, hi = t["data_offsets"]
        shape = "x".join(str(d) for d in t["shape"])
        lines.append(f"{name} {t['dtype']} {shape} {hashlib.sha256(body[lo:hi]).hexdigest()}")
    return lines


def main(argv):
    if len(argv) == 3 and argv[0] == "--check":
        want = [l for l in open(argv[1]).read().splitlines() if l and not l.startswith("#")]
        have = set(manifest(argv[2]))
        missing = [l for l in want if l not in have]
        for l in missing:
            print("missing or different:", l)
        print(f"{len(want) - len(missing)} of {len(want)} tensors present and byte-identical in {argv[2]}")
        return 1 if missing else 0
    if len(argv) == 1:
        print("\n".join(manifest(argv[0])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
